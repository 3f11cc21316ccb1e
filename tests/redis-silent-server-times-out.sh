#!/bin/bash
# redis-silent-server-times-out: a server that accepts connections and never
# answers holds the redis check only until the engine's timeout, which
# abandons the hiredis connection (hiredis 0.14 has no timeouts of its own);
# nothing hangs, attempt after attempt, and a server that hangs up fails
# the check at once.

. "$top_srcdir/tests/lib.sh"

silent_start
SILENT=$SILENT_PORT
# A server that reads the request and hangs up.
HANGUP=$(free_port)
timeout 600 python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
while True:
    c = s.accept()[0]
    c.recv(1024)
    c.close()
' "$HANGUP" &
on_exit "kill $!"
wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$HANGUP" || fail "hangup server"

start=$(date +%s%N)
out=$(timeout 60 "$HINIT" check --timeout 500ms "redis://127.0.0.1:$SILENT" \
    "redis://:hunter2@127.0.0.1:$SILENT/2" "redis://localhost:$SILENT" 2>&1)
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
expect_eq "exit of hinit check ($out)" 1 "$rc"
expect_eq "timeouts" 3 "$(grep -c ' timeout .*timed out' <<<"$out")"
[ "$ms" -lt $((500 + $(slow 4500))) ] ||
    fail "hinit check took ${ms}ms for a 500ms timeout"
expect_no_match "password shown" hunter2 "$out"
pass "silent server: three timeouts in ${ms}ms"

out=$(timeout "$(slow 10)" "$HINIT" check --timeout 3s "redis://127.0.0.1:$HANGUP" 2>&1)
expect_match "hang-up" ' fail .*connection lost' "$out"
pass "hang-up: $out"

# Attempt after attempt, each abandoned by the timeout, in a running init.
cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:silent]
url = redis://:hunter2@127.0.0.1:$SILENT/1
interval = 100ms
timeout = 200ms
retries = 2
INI
# Server side, each connection it took stays until the test ends.
taken() { ss -Htn "( sport = :$SILENT )" | wc -l; }
base=$(taken)
"$HINIT" -e 143 -c "$T/hinit.ini" -v -- sleep 1000 >"$T/log" 2>&1 &
init=$!
on_exit "kill $init"
# Some ten attempts later, each abandoned one has been closed: at most the
# one under way is open.
ten() { [ "$(taken)" -ge $((base + 10)) ]; }
wait_for 10 ten || fail "only $(($(taken) - base)) attempts: $(cat "$T/log")"
open=$(ss -Htn state established "( dport = :$SILENT )" | wc -l)
[ "$open" -le 1 ] || fail "$open connections to the silent server left open"
kill "$init"
wait "$init"
rc=$?
expect_eq "init exit ($(cat "$T/log"))" 0 "$rc"
expect_match "unhealthy" \
    'check silent: unhealthy after 2 failures: timed out' "$(cat "$T/log")"
expect_no_match "password shown" hunter2 "$(cat "$T/log")"
pass "init: unhealthy after 2 timeouts, exited with the app"
