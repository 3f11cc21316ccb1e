#!/bin/bash
# A signal that reaches a process hinit has just forked, before it execs,
# is not lost: the child has all signals blocked until it has given back
# the dispositions and mask hinit inherited. Here a SIGTERM sent to the
# process group of a restarted app lands before its exec; strace holds the
# child there for 3s (scaled by TEST_SLOW) so the moment cannot be missed. Without the blocking
# the child would run hinit's own handler, swallow the SIGTERM and go on to
# exec an app that never saw it. (Not SIGINT: bash starts background jobs
# with it ignored, and hinit hands that on.)
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[hinit]
restart = on-failure
restart_delay = 100ms
grace = 1s
INI
# The first run fails at once, to be restarted; later runs sleep.
strace -f -qq -o /dev/null -e trace=close_range \
    -e inject=close_range:delay_enter="$(slow 3000000)" \
    "$HINIT" -c "$T/hinit.ini" -- \
    sh -c "test -f $T/ran && exec sleep 1000; touch $T/ran; exit 1" \
    2>"$T/err" &
strace_pid=$!
on_exit "kill -9 $strace_pid"
wait_for 5 pgrep -x -P $strace_pid hinit || fail "hinit did not start"
hinit_pid=$(pgrep -x -P $strace_pid hinit)
on_exit "kill -9 $hinit_pid"
wait_for 10 test -f "$T/ran" || fail "the app did not run: $(cat "$T/err")"
# The restarted app, still a copy of hinit held before its exec.
wait_for 10 pgrep -x -P "$hinit_pid" hinit || fail "no restart"
child=$(pgrep -x -P "$hinit_pid" hinit)
on_exit "kill -9 $child"
kill -TERM -- "-$child"
# Its exec would come 3s later: by then the SIGTERM has ended it.
wait_for 10 sh -c "! kill -0 $child" ||
    fail "the SIGTERM was lost: $(ps -o pid,comm,args -p "$child" | tail -1)"
pass "SIGTERM before the restarted app's exec ends it"
kill -TERM "$hinit_pid"
wait_for 10 sh -c "! kill -0 $hinit_pid" || fail "hinit did not stop"
