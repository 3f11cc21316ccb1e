#!/bin/bash
# A task that was stopped (SIGSTOP, a debugger gone) still stops when hinit
# does during start-up: SIGCONT goes to its group before the stop signal, as
# to the app, so it takes the signal at once instead of waiting out the
# grace for SIGKILL. As PID 1.
. "$top_srcdir/tests/lib.sh"

mark=$$$RANDOM	# sleep 1000.MARK: a number, this test's own
cat >"$T/hinit.ini" <<INI
[hinit]
grace = 60s
[task:migrate]
command = exec sleep 1000.$mark
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    -- sh -c "echo >$T/app" 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
hpid=$(hinit_pid $upid) || fail "no hinit"
wait_for 10 pgrep -f "^sleep 1000\\.$mark\$" || fail "the task did not start"
task=$(pgrep -f "^sleep 1000\\.$mark\$")
kill -STOP $task
wait_for 10 sh -c "grep -q '^State:.*T' /proc/$task/status" ||
    fail "the task did not stop"
kill -TERM "$hpid"
wait_for 30 sh -c "! kill -0 $upid" ||
    fail "a stopped task waited out the grace (60s): $(cat "$T/err")"
wait $upid
expect_eq "exit code" 143 "$?"
grep -q "killed by SIGTERM" "$T/err" ||
    fail "the task was not ended by SIGTERM: $(cat "$T/err")"
[ -e "$T/app" ] && fail "the app started"
pass "a stopped task takes SIGTERM at once"
