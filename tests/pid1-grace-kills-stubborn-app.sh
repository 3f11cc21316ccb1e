#!/bin/bash
# An app that ignores SIGTERM is SIGKILLed once the grace is over: hinit
# exits 137, after the grace and not much later. An app that stops at once
# does not wait for the grace.
. "$top_srcdir/tests/lib.sh"

unshare --pid --fork --kill-child --mount-proc "$HINIT" -q --grace 1s -- \
    sh -c "trap '' TERM; touch $T/ready; while :; do sleep 0.1; done" &
upid=$!
on_exit "kill -9 $upid"
wait_for 10 test -f "$T/ready" || fail "app not ready"
hpid=$(pgrep -P "$upid" -x hinit) || fail "no hinit"
start=$(date +%s%N)
kill -TERM "$hpid"
wait "$upid"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "killed after grace" 137 "$rc"
[ "$ms" -ge 950 ] || fail "SIGKILL came before the grace: ${ms}ms"
[ "$ms" -lt 8000 ] || fail "SIGKILL came far after the grace: ${ms}ms"
pass "stubborn app killed after the grace (${ms}ms)"

unshare --pid --fork --kill-child --mount-proc "$HINIT" -q --grace 30s -- \
    sh -c "touch $T/ready2; exec sleep 100" &
upid=$!
on_exit "kill -9 $upid"
wait_for 10 test -f "$T/ready2" || fail "app not ready"
sleep 0.1
hpid=$(pgrep -P "$upid" -x hinit) || fail "no hinit"
start=$(date +%s%N)
kill -TERM "$hpid"
wait "$upid"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "sleep killed by SIGTERM" 143 "$rc"
[ "$ms" -lt 5000 ] || fail "hinit waited for the grace: ${ms}ms"
pass "a prompt app does not wait for the grace (${ms}ms)"
