#!/bin/bash
# An app that ignores SIGTERM is SIGKILLed once the grace is over: hinit
# exits 137, after the grace and not much later. An app that stops at once
# does not wait for the grace.
. "$top_srcdir/tests/lib.sh"

gone() { ! kill -0 "$1" 2>/dev/null; }

unshare --pid --fork --kill-child --mount-proc "$HINIT" -q --grace 1s -- \
    sh -c "trap '' TERM; touch $T/ready; while :; do sleep 0.1; done" &
upid=$!
on_exit "kill -9 $upid"
wait_for 10 test -f "$T/ready" || fail "app not ready"
hpid=$(hinit_pid "$upid") || fail "no hinit"
start=$(date +%s%N)
kill -TERM "$hpid"
wait_for 60 gone "$upid" || fail "hinit still runs long after the grace"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$upid"
expect_eq "killed after grace" 137 "$?"
[ "$ms" -ge 950 ] || fail "SIGKILL came before the grace: ${ms}ms"
[ "$ms" -lt "$(slow 8000)" ] || fail "SIGKILL came far after the grace: ${ms}ms"
pass "stubborn app killed after the grace (${ms}ms)"

# A grace far longer than any bound here: waiting for it would show.
unshare --pid --fork --kill-child --mount-proc "$HINIT" -q --grace 300s -- \
    sh -c "exec sleep 1000" &
upid=$!
on_exit "kill -9 $upid"
hpid=$(hinit_pid "$upid") || fail "no hinit"
wait_for 10 pgrep -P "$hpid" -x sleep || fail "app not ready"
start=$(date +%s%N)
kill -TERM "$hpid"
wait_for 60 gone "$upid" || fail "hinit waits for the grace"
ms=$(( ($(date +%s%N) - start) / 1000000 ))
wait "$upid"
expect_eq "sleep killed by SIGTERM" 143 "$?"
[ "$ms" -lt "$(slow 5000)" ] || fail "hinit waited for the grace: ${ms}ms"
pass "a prompt app does not wait for the grace (${ms}ms)"
