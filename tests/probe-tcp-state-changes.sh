#!/bin/bash
# A tcp check in init mode follows a server going up, down and up again,
# logging each change once: healthy (connected to ...), unhealthy after 3
# failures: ... connection refused, healthy. The server is up before hinit
# starts and each change waits for hinit to have seen the last one, so the
# sequence is the same on a machine of any speed.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:db]
url = tcp://127.0.0.1:$port
interval = 100ms
timeout = 500ms
INI

silent_start "$port"
"$HINIT" -e 143 -c "$T/hinit.ini" -- sleep 1000 2>"$T/err" &
pid=$!
on_exit "kill $pid"
three() { [ "$(grep -c 'check db: ' "$T/err")" -ge 3 ]; }
wait_for 10 grep -q 'check db: healthy' "$T/err" || fail "never healthy"

kill "$SILENT_PID"
wait_for 10 grep -q 'check db: unhealthy' "$T/err" || fail "never unhealthy"
silent_start "$port"
wait_for 10 three || fail "not healthy again"
kill "$pid"
wait "$pid"
expect_eq "exit code (SIGTERM, -e 143)" 0 "$?"

expected="hinit: check db: healthy (connected to 127.0.0.1:$port)
hinit: check db: unhealthy after 3 failures: 127.0.0.1:$port: connection refused
hinit: check db: healthy (connected to 127.0.0.1:$port)"
expect_eq "state changes" "$expected" "$(grep 'check db: ' "$T/err")"
pass "tcp up, down, up: three lines"
