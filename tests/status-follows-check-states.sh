#!/bin/bash
# The status file, hinit status and /health agree through every state of
# hinit running as PID 1: starting, healthy, unhealthy, healthy again, and
# stopping (during the drain) after SIGTERM; a second one ends the drain.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
file=$T/run/status.json
cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
status_file = $file
drain = 60s

[check:app]
command = test -f $T/up
interval = 100ms
start_interval = 100ms
start_period = 60s
retries = 2
INI

unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -c "$T/hinit.ini" -- sleep 1000 2>"$T/err" &
unshare_pid=$!
on_exit "kill -9 $unshare_pid"
wait_for 5 pgrep -P $unshare_pid || fail "hinit did not start"
hinit_pid=$(pgrep -P $unshare_pid)

state() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hinit:state"])' "$file" 2>/dev/null
}
is_state() { [ "$(state)" = "$1" ]; }
code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$port/health"
}

# agree STATE RC HTTP: once the file says STATE, the others say the same.
agree() {
	wait_for 10 is_state "$1" || fail "state: expected $1, file says '$(state)'"
	timeout 5 "$HINIT" status --status-file "$file" >"$T/out"
	expect_eq "hinit status exit code when $1" "$2" "$?"
	expect_eq "/health when $1" "$3" "$(code)"
	expect_eq "still $1" "$1" "$(state)"
	note "$1: $(tail -1 "$T/out")"
}

agree starting 1 503
# Attempts that change no state reach the file within a second.
line() { timeout 5 "$HINIT" status --status-file "$file" | head -1; }
attempted() { [[ $(line) =~ ^app\ starting\ fail\ [0-9.]+ms\ exit\ 1 ]]; }
wait_for 5 attempted || fail "the check line: $(line)"
touch "$T/up"
agree healthy 0 200
expect_match "the check line" '^app healthy pass [0-9.]+ms' "$(head -1 "$T/out")"
rm "$T/up"
agree unhealthy 1 503
touch "$T/up"
agree healthy 0 200

kill -TERM "$hinit_pid"
agree stopping 1 503
grep -q '"output": "stopping"' "$file" || fail "checks do not say stopping"
kill -TERM "$hinit_pid"
timeout "$(slow 20)" tail --pid="$hinit_pid" -f /dev/null
expect_eq "the last word is stopping" stopping "$(state)"
timeout 5 "$HINIT" status --status-file "$file" >/dev/null
expect_eq "hinit status after the end" 1 "$?"
pass "file, hinit status and /health agree in every state"
