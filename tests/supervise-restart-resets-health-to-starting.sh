#!/bin/bash
# After a restart the overall state is "starting" again (hinit:state and
# /health 503) until the checks have passed since the restart, even though
# the check was healthy before: probe_reset() on restart. The test holds
# the check's attempts over the restart (an attempt that sees $T/hold waits
# for it to go), so the state cannot move on before it is read.
. "$top_srcdir/tests/lib.sh"

hport=$(free_port)
file=$T/status.json
cat >"$T/hinit.ini" <<INI
[hinit]
restart = on-failure
restart_delay = 100ms
listen = 127.0.0.1:$hport
status_file = $file

[check:web]
command = if [ -e $T/hold ]; then touch $T/held; wait-for 60 test ! -e $T/hold; fi
interval = 100ms
timeout = 300s
INI
# The first run crashes once the test says so, the second stays up.
cat >"$T/app.sh" <<SH
echo x >>$T/starts
[ \$(wc -l <$T/starts) -ge 2 ] && exec sleep 1000
while [ ! -e $T/crash ]; do sleep 0.05; done
exit 3
SH
timeout "$(slow 120)" "$HINIT" -e 143 -c "$T/hinit.ini" -- sh "$T/app.sh" 2>"$T/err" &
pid=$!
on_exit "kill -TERM $pid"

field() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print('"$1"')' \
	    "$file" 2>/dev/null
}
is_state() { [ "$(field 'd["hinit:state"]')" = "$1" ]; }
restarted() { [ "$(field 'd["hinit:app"]["restarts"]')" = 1 ]; }
code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time "$(slow 5)" \
	    "http://127.0.0.1:$hport/health"
}

wait_for 10 is_state healthy || fail "not healthy at first: $(cat "$file")"
expect_eq "/health before the crash" 200 "$(code)"
# An attempt under way waits: every earlier one has been counted.
touch "$T/hold"
wait_for 10 test -e "$T/held" || fail "no attempt since the hold"
touch "$T/crash"
wait_for 10 restarted || fail "no restart: $(cat "$T/err")"
# The check passed before and would pass still, but not since the restart.
expect_eq "state right after the restart" starting "$(field 'd["hinit:state"]')"
expect_eq "check state right after the restart" starting \
    "$(field 'd["checks"]["web:responseTime"][0]["hinit:state"]')"
expect_eq "/health right after the restart" 503 "$(code)"
pass "starting again after the restart"
rm "$T/hold"
wait_for 10 is_state healthy || fail "not healthy again: $(cat "$file")"
expect_eq "/health once the check passed again" 200 "$(code)"
pass "healthy again once the check passed since the restart"
kill -TERM $pid
wait $pid
expect_eq "exit code (SIGTERM, -e 143)" 0 "$?"
