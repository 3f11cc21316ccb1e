#!/bin/bash
# A restart whose fork fails (EAGAIN: the container's pids.max is reached)
# never leaves hinit hanging with no app: it counts as a restart and is
# tried again after the back-off, until the fork succeeds. As PID 1 and
# not, in a pids cgroup of the test's own (cgroup v2 or v1).
. "$top_srcdir/tests/lib.sh"

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
	base=/sys/fs/cgroup
	grep -qw pids "$base/cgroup.subtree_control" ||
	    echo +pids >"$base/cgroup.subtree_control" ||
	    fail "cannot enable the pids controller"
elif [ -d /sys/fs/cgroup/pids ]; then
	base=/sys/fs/cgroup/pids
else
	fail "no pids cgroup controller"
fi
cg=$base/hinit-test.$$
mkdir "$cg" || fail "mkdir $cg"
on_exit "for try in \$(seq 50); do rmdir $cg && break; sleep 0.1; done"

cat >"$T/hinit.ini" <<INI
[hinit]
restart = always
restart_delay = 100ms
restart_delay_max = 200ms
status_file = $T/status.json
INI

restarts() {
	/usr/bin/python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["hinit:app"]["restarts"])' "$T/status.json"
}

# forks WHAT HINIT...
forks() {
	local what=$1 job hinit runs r1 r2
	shift
	: >"$T/runs"
	echo max >"$cg/pids.max"
	bash -c 'echo $$ >"$1/cgroup.procs"; shift; exec "$@"' - "$cg" \
	    "$@" -c "$T/hinit.ini" -- \
	    sh -c "echo run >>$T/runs; exec sleep 0.5" 2>"$T/log" &
	job=$!
	on_exit "kill -KILL $job"
	hinit=$job
	if [ "$1" = unshare ]; then
		wait_for 5 pgrep -P $job -x hinit || fail "$what: no hinit"
		hinit=$(pgrep -P $job -x hinit)
	fi
	wait_for 10 test -s "$T/runs" || fail "$what: the app did not start"
	# No fork from now on; the app's sleep exits and cannot be restarted.
	echo 0 >"$cg/pids.max"
	runs=$(wc -l <"$T/runs")
	wait_for 10 sh -c "[ \$(grep -c 'cannot start sh' $T/log) -ge 3 ]" ||
	    fail "$what: no retries: $(cat "$T/log")"
	grep -q "fork: Resource temporarily unavailable" "$T/log" ||
	    fail "$what: not a failed fork: $(cat "$T/log")"
	wait_for 5 test -f "$T/status.json" || fail "$what: no status file"
	r1=$(restarts)
	[ "$r1" -ge 3 ] || fail "$what: $r1 restarts counted, 3 or more expected"
	expect_eq "$what: starts while no fork works" "$runs" \
	    "$(wc -l <"$T/runs")"
	# Forks work again: the next try starts the app.
	echo max >"$cg/pids.max"
	wait_for 10 sh -c "[ \$(wc -l <$T/runs) -gt $runs ]" ||
	    fail "$what: the app never started again: $(cat "$T/log")"
	kill -TERM $hinit
	wait $job
	note "$what: $r1 restarts counted while forks failed"
	pass "$what: failed forks are retried with the back-off"
}

forks "PID 1" unshare --pid --fork --kill-child --mount-proc "$HINIT"
forks "not PID 1" "$HINIT"
