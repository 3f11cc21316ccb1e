#!/bin/bash
# An exec check that outlives its timeout: the result is "timeout" close to
# the timeout, its process group gets SIGTERM then SIGKILL (a command that
# ignores SIGTERM dies all the same) and nothing is left behind. Output past
# 4 KiB is drained and dropped, not waited on.
. "$top_srcdir/tests/lib.sh"

marker=31.$$$RANDOM
start=$(date +%s%N)
out=$(timeout "$(slow 20)" "$HINIT" check --timeout 300ms \
    "slow=exec:trap '' TERM; echo started; sleep $marker; echo never")
rc=$?
end=$(date +%s%N)
expect_eq "exit code" 1 $rc
expect_match "timeout line" \
    "^slow exec:.* timeout ([0-9.]+)ms timed out after 300ms$" "$out"
ms=$(sed -E 's/.* timeout ([0-9.]+)ms .*/\1/' <<<"$out")
python3 -c 'import os, sys; d = float(sys.argv[1]); sys.exit(not 300 <= d <= 300 + 100 * int(os.environ["TEST_SLOW"]))' "$ms" ||
    fail "timed out after ${ms}ms, not 300ms"
# Killed before hinit exited: at most a moment to be reaped.
wait_for 5 ! pgrep -f "sleep $marker" || fail "the command survived its timeout"
elapsed=$(( (end - start) / 1000000 ))
[ $elapsed -lt "$(slow 4000)" ] || fail "took ${elapsed}ms"
pass "timeout enforced; SIGTERM-proof command killed; nothing left"

# The same inside init mode, where the check runs on and on.
cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:slow]
command = trap '' TERM; sleep $marker
interval = 200ms
timeout = 200ms
INI
# The app ends once the check is unhealthy (three timeouts), an attempt
# may be under way then.
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -v -- \
    wait-for 20 grep -q "check slow: unhealthy" "$T/err" 2>"$T/err"
wait_for 5 ! pgrep -f "sleep $marker" || fail "a timed-out command is left"
grep -q "check slow: unhealthy after 3 failures: timed out after 200ms" "$T/err" ||
    fail "no unhealthy line: $(cat "$T/err")"
expect_eq "state change logged once" 1 "$(grep -c 'check slow: unhealthy' "$T/err")"
pass "repeated timeouts in init mode leave nothing behind"

out=$(timeout "$(slow 20)" "$HINIT" check --json \
    "big=exec:yes x | tr -d '\\n' | head -c 1000000; echo; exit 0")
expect_eq "big output exit code" 0 $?
python3 -c '
import json, sys
r = json.loads(sys.argv[1])[0]
assert r["result"] == "pass", r
assert len(r["output"]) == 4096 and set(r["output"]) == {"x"}, len(r["output"])
' "$out" || fail "big output not cut to 4 KiB"
pass "output cut at 4 KiB, the rest drained"
