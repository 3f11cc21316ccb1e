#!/bin/bash
# When the app exits, what it left gets SIGTERM at once, not after the
# grace: its process group, and processes of other groups or sessions below
# hinit (adopted as orphans when their parent dies), not PID 1 as hinit(8)
# promises, and as PID 1. With a grace of 20s, each run here ends in well
# under 10s, leaving nothing behind. A leftover that takes SIGTERM and runs
# on gets it once, then SIGKILL.
. "$top_srcdir/tests/lib.sh"

marker=$((RANDOM % 1000 + 1000)).$$
# An app whose child waits on a grandchild in the app's group, or in a
# session of its own (reparented to hinit only when that child dies).
group="sh -c 'sleep $marker & wait' & sleep 0.2; exit 3"
session="sh -c 'setsid sleep $marker & wait' & sleep 0.2; exit 3"

# run WHAT APP [HINIT...]: the app's code comes back in well under the grace
run() {
	local what=$1 app=$2 start ms rc
	shift 2
	start=$(date +%s%N)
	timeout 60 "$@" -q --grace 20s -- sh -c "$app"
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "$what: exit code" 3 "$rc"
	[ "$ms" -lt 10000 ] || fail "$what: ${ms}ms: the leftovers waited for the grace"
	if pgrep -f "^sleep $marker\$" >/dev/null; then
		pkill -KILL -f "^sleep $marker\$"
		fail "$what: a leftover survived hinit"
	fi
	note "$what: ${ms}ms"
}

in_ns="unshare --pid --fork --kill-child --mount-proc $HINIT"
for i in 1 2 3 4 5; do
	run "not PID 1, the app's group, run $i" "$group" "$HINIT"
done
pass "not PID 1: the app's group gets SIGTERM at once"
for i in 1 2 3; do
	run "not PID 1, another session, run $i" "$session" "$HINIT"
done
pass "not PID 1: an orphan of another session gets SIGTERM at once"
run "PID 1, the app's group" "$group" $in_ns
run "PID 1, another session" "$session" $in_ns
pass "PID 1: both get SIGTERM at once"

# A leftover that traps SIGTERM and runs on: one SIGTERM, then SIGKILL.
stubborn="sh -c 'trap \"echo TERM >>$T/terms\" TERM; touch $T/up; while :; do sleep 0.05; done' &
while [ ! -f $T/up ]; do sleep 0.05; done; exit 3"
for how in "not PID 1" "PID 1"; do
	rm -f "$T/terms" "$T/up"
	if [ "$how" = "PID 1" ]; then
		timeout 60 $in_ns -q --grace 1s -- sh -c "$stubborn"
	else
		timeout 60 "$HINIT" -q --grace 1s -- sh -c "$stubborn"
	fi
	expect_eq "$how, stubborn leftover: exit code" 3 "$?"
	expect_eq "$how: SIGTERMs the leftover got" 1 "$(grep -c TERM "$T/terms")"
done
pass "a leftover gets one SIGTERM"
