#!/bin/bash
# When the app exits, what it left behind gets SIGTERM (and may clean up),
# what ignores SIGTERM gets SIGKILL after the grace, and hinit exits with the
# app's code, as PID 1 and as a subreaper.
. "$top_srcdir/tests/lib.sh"

# As PID 1: a background child that cleans up on SIGTERM gets the chance.
timeout "$(slow 30)" unshare --pid --fork --kill-child --mount-proc "$HINIT" -q -- sh -c "
	(trap 'touch $T/cleaned; exit 0' TERM; touch $T/bg; while :; do sleep 0.05; done) &
	while [ ! -f $T/bg ]; do sleep 0.05; done
	exit 3"
expect_eq "app code" 3 "$?"
[ -f "$T/cleaned" ] || fail "the leftover did not get SIGTERM"
pass "PID 1: leftovers get SIGTERM, app code kept"

# As PID 1: a leftover that ignores SIGTERM is killed after the grace.
start=$(date +%s%N)
timeout "$(slow 30)" unshare --pid --fork --kill-child --mount-proc "$HINIT" -q --grace 1s -- sh -c "
	(trap '' TERM; touch $T/bg2; while :; do sleep 0.05; done) &
	while [ ! -f $T/bg2 ]; do sleep 0.05; done
	exit 0"
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "app code" 0 "$rc"
[ "$ms" -ge 950 ] && [ "$ms" -lt "$(slow 8000)" ] ||
    fail "grace not honoured: ${ms}ms"
pass "PID 1: stubborn leftover killed after the grace (${ms}ms)"

# As a subreaper: a daemonised grandchild (new session) is found and killed.
timeout "$(slow 30)" "$HINIT" -q -- sh -c "
	setsid sh -c 'echo \$\$ > $T/daemon; exec sleep 1000' &
	while [ ! -s $T/daemon ]; do sleep 0.05; done
	exit 5"
expect_eq "app code" 5 "$?"
d=$(cat "$T/daemon")
# Killed before hinit exited; gone once its new parent has reaped it.
running() { kill -0 "$d" && ! grep -q '^State:.*Z' "/proc/$d/status"; }
if ! wait_for 5 ! running; then
	kill -9 "$d"
	fail "subreaper left the daemon $d running"
fi
pass "subreaper: a daemonised leftover is killed"
