#!/bin/bash
# stop_signal = SIGNAL: what the app gets when hinit stops, whatever hinit
# received, and for an on_unhealthy restart: an app that only stops on
# SIGQUIT (as nginx stops gracefully) stops at once, never waits out the
# grace for SIGKILL. hinit -t shows it; a bad one is a config error.
. "$top_srcdir/tests/lib.sh"

hinit_in() {	# hinit_in UNSHARE_PID: hinit inside the namespace
	local p
	for _ in $(seq 200); do
		p=$(pgrep -P "$1" -x hinit) && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}

# Stops only on SIGQUIT; records what it got. Python, not sh: a background
# job of this script starts with SIGQUIT ignored, which sh cannot trap. It
# ends with os._exit(): what is tested is the signal it got, and once in a
# loaded CI run a sys.exit() from this handler left the interpreter running
# (the handler had run) until the grace's SIGKILL.
cat >"$T/app.py" <<PY
import os, signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
signal.signal(signal.SIGINT, signal.SIG_IGN)
def quit(sig, frame):
    with open("$T/got", "a") as f:
        f.write("QUIT\\n")
    os._exit(0)
signal.signal(signal.SIGQUIT, quit)
open("$T/starts", "a").write("\\n")
while True:
    time.sleep(1)
PY
app="$PYTHON $T/app.py"

cat >"$T/hinit.ini" <<INI
[hinit]
stop_signal = SIGQUIT
grace = 60s
status_file = $T/status.json
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" -- \
    $app 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
hpid=$(hinit_in $upid) || fail "no hinit"
wait_for 10 test -s "$T/starts" || fail "the app did not start"
kill -TERM "$hpid"
wait_for 30 sh -c "! kill -0 $upid" ||
    fail "SIGTERM to hinit did not stop the app (grace is 60s): $(cat "$T/err")"
wait $upid
expect_eq "exit code" 0 "$?"
expect_eq "what the app got" QUIT "$(cat "$T/got")"
pass "SIGTERM to hinit: the app gets SIGQUIT and exits 0"

# on_unhealthy = restart sends stop_signal too.
rm -f "$T/got" "$T/starts"
cat >"$T/hinit.ini" <<INI
[hinit]
stop_signal = QUIT
on_unhealthy = restart
restart_delay = 100ms
grace = 60s
status_file = $T/status.json

[check:web]
command = ! rm $T/fail 2>/dev/null
interval = 100ms
retries = 1
role = live
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" -- \
    $app 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
# The check fails once the app has its handlers, and once only: a second
# restart could reach the new app before it has them.
wait_for 10 test -s "$T/starts" || fail "the app did not start"
touch "$T/fail"
wait_for 30 sh -c "[ \$(wc -l <$T/starts 2>/dev/null || echo 0) -ge 2 ]" ||
    fail "no restart within 30s (grace is 60s): $(cat "$T/err")"
rm -f "$T/fail"
grep -q "still runs after the grace" "$T/err" && fail "SIGKILLed: $(cat "$T/err")"
expect_eq "what the app got" QUIT "$(head -1 "$T/got")"
pass "on_unhealthy = restart: the app gets SIGQUIT"

# hinit -t shows it; a bad one is an error.
out=$("$HINIT" -t -c "$T/hinit.ini") || fail "-t: $out"
expect_match "-t" $'\nstop_signal = SIGQUIT\n' "$out"
printf '[hinit]\nstop_signal = KILL\n' >"$T/bad.ini"
out=$("$HINIT" -t -c "$T/bad.ini" 2>&1)
expect_eq "exit code of a bad stop_signal" 2 "$?"
expect_match "error" "bad.ini:2: \[hinit\] stop_signal: bad signal 'KILL'" "$out"
pass "hinit -t shows stop_signal; KILL is refused"
