#!/bin/bash
# hinit wait: probes until every target passes, then execs the command
# (whose exit code is hinit's); without a command it exits 0.
. "$top_srcdir/tests/lib.sh"

# The gate: db (refused until the test starts a listener) and x (an exec
# target that records its attempts, failing until x-ok exists).
port=$(free_port)
"$HINIT" wait --interval 200ms --timeout 60s "db=tcp://127.0.0.1:$port" \
    "x=exec:echo >>$T/attempts; test -f $T/x-ok" -- \
    sh -c 'test -f "$1" && echo ran after ready; exit 7' sh "$T/listening" \
    >"$T/out" 2>"$T/err" &
pid=$!
on_exit "kill $pid"
attempts() { [ "$(wc -l <"$T/attempts")" -ge "$1" ]; }
wait_for 10 attempts 2 || fail "no attempts: $(cat "$T/err")"
touch "$T/x-ok"
wait_for 10 attempts 3 || fail "no attempt since x-ok: $(cat "$T/err")"
[ -s "$T/out" ] && fail "the command ran before the gate opened"
# Only db holds the gate now: open it (the command sees the mark only if
# it runs after the test began to).
touch "$T/listening"
silent_start "$port"
ready=$(date +%s%N)
wait_for 10 ! kill -0 "$pid" || fail "the gate did not open: $(cat "$T/err")"
end=$(date +%s%N)
wait "$pid"
expect_eq "the command's exit code" 7 "$?"
expect_eq "the command ran once ready" "ran after ready" "$(cat "$T/out")"
elapsed=$(( (end - ready) / 1000000 ))
[ $elapsed -lt "$(slow 1200)" ] ||
    fail "gate opened ${elapsed}ms after the listener (interval 200ms)"
pass "command runs once all targets pass (${elapsed}ms after the last)"

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
