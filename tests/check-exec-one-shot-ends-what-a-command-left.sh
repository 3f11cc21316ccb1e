#!/bin/bash
# hinit check and hinit wait end what an exec command left in its group,
# as the init does: a process that ignores SIGTERM gets its SIGKILL a
# second later, and the one-shot command waits for it before it exits (or
# execs its command). Not a subreaper, the one-shot hinit has no child to
# count then: it exited at once and the process lived on, one more each
# time a HEALTHCHECK ran. Under hinit as PID 1, which reaps them.
. "$top_srcdir/tests/lib.sh"

mark=$$$RANDOM	# sleep 999.MARK: a number, this test's own
export HINIT T mark
cat >"$T/app.sh" <<'SH'
left() { pgrep -fc "^sleep 999\.$mark\$"; }
# The command ends once its leftover ignores SIGTERM (it runs sleep then).
stubborn="sh -c 'trap \"\" TERM; exec sleep 999.$mark' >/dev/null 2>&1 & \
    until pgrep -f '^sleep 999\\.$mark\$' >/dev/null; do sleep 0.05; done;"
"$HINIT" check "exec:$stubborn echo checked" >"$T/check.out" 2>&1
echo "check $?" >>"$T/codes"
sleep 0.3
left >"$T/left.check"
"$HINIT" wait --timeout 10s "exec:$stubborn true" -- sh -c 'echo "wait $?"' \
    >>"$T/codes"
left >"$T/left.wait"
exit 0
SH
unshare --pid --fork --kill-child --mount-proc "$HINIT" -- sh "$T/app.sh" \
    2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
wait_for 30 sh -c "! kill -0 $upid" || fail "the one-shot commands hung"
wait $upid
expect_eq "exit code" 0 "$?"
expect_match "hinit check" "pass.*checked" "$(cat "$T/check.out")"
expect_eq "exit codes" "check 0
wait 0" "$(cat "$T/codes")"
expect_eq "left after hinit check" 0 "$(cat "$T/left.check")"
pass "hinit check: what its command left is gone, SIGTERM ignored"
expect_eq "left when hinit wait has run its command" 0 "$(cat "$T/left.wait")"
pass "hinit wait: what its command left is gone, SIGTERM ignored"
