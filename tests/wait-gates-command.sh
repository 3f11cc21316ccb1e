#!/bin/bash
# hinit wait: probes until every target passes, then execs the command
# (whose exit code is hinit's); without a command it exits 0.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
( sleep 1
  exec python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
open(sys.argv[2], "w").close()
time.sleep(60)
' "$port" "$T/ready" ) &
on_exit "pkill -P $! ; kill $!"

start=$(date +%s%N)
out=$(timeout 20 "$HINIT" wait --interval 200ms --timeout 10s \
    "db=tcp://127.0.0.1:$port" "x=exec:true" -- \
    sh -c 'test -f "$1" && echo ran after ready; exit 7' sh "$T/ready")
rc=$?
end=$(date +%s%N)
expect_eq "the command's exit code" 7 $rc
expect_eq "the command ran once ready" "ran after ready" "$out"
elapsed=$(( (end - start) / 1000000 ))
[ $elapsed -ge 900 ] && [ $elapsed -lt 3000 ] ||
    fail "gate opened after ${elapsed}ms (listener after ~1000ms, interval 200ms)"
pass "command runs once all targets pass"

timeout 20 "$HINIT" wait "db=tcp://127.0.0.1:$port"
expect_eq "no command" 0 $?
pass "no command: exit 0"

timeout 20 "$HINIT" wait "db=tcp://127.0.0.1:$port" -- /nonexistent/cmd 2>"$T/err"
expect_eq "command not found" 127 $?
grep -q "/nonexistent/cmd" "$T/err" || fail "no message: $(cat "$T/err")"
timeout 20 "$HINIT" wait "db=tcp://127.0.0.1:$port" -- "$T" 2>/dev/null
expect_eq "command not executable" 126 $?
pass "exec failure: 127 / 126"

timeout 20 "$HINIT" wait 2>/dev/null
expect_eq "no target" 2 $?
timeout 20 "$HINIT" wait --interval 0 exec:true 2>/dev/null
expect_eq "zero interval" 2 $?
timeout 20 "$HINIT" wait exec:true -- 2>/dev/null
expect_eq "nothing after --" 2 $?
pass "usage errors: 2"
