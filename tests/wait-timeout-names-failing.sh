#!/bin/bash
# hinit wait gives up at --timeout with 124, names the targets still failing
# with their last output, and never runs the command.
. "$top_srcdir/tests/lib.sh"

closed=$(free_port)
start=$(date +%s%N)
timeout "$(slow 20)" "$HINIT" wait --timeout 1s --interval 200ms \
    "db=tcp://127.0.0.1:$closed" "ok=exec:true" -- touch "$T/ran" 2>"$T/err"
rc=$?
end=$(date +%s%N)
expect_eq "exit code" 124 $rc
[ -e "$T/ran" ] && fail "the command ran"
grep -q "db tcp://127.0.0.1:$closed.*connection refused" "$T/err" ||
    fail "failing target not named: $(cat "$T/err")"
grep -q "ok exec:true" "$T/err" && fail "a passing target named"
elapsed=$(( (end - start) / 1000000 ))
[ $elapsed -ge 950 ] && [ $elapsed -lt $((1000 + $(slow 1500))) ] ||
    fail "gave up after ${elapsed}ms"
pass "timeout: 124, failing target named, command not run"

# An attempt that hangs past the deadline (by a minute): the deadline
# still holds.
start=$(date +%s%N)
timeout 120 "$HINIT" wait --timeout 500ms --interval 5s "slow=exec:sleep 60" 2>"$T/err"
expect_eq "exit code, hanging attempt" 124 $?
end=$(date +%s%N)
elapsed=$(( (end - start) / 1000000 ))
[ $elapsed -lt $((500 + $(slow 3000))) ] ||
    fail "hanging attempt held the deadline: ${elapsed}ms"
grep -q "slow exec:sleep 60" "$T/err" || fail "hanging target not named: $(cat "$T/err")"
pass "a hanging attempt does not hold the deadline"
