#!/bin/bash
# Exec checks never overlap at the process level: a command that ignores
# SIGTERM lives on until its SIGKILL a second after its timeout, and the
# next attempt waits until that run's process group is gone, however short
# the interval. As PID 1 and not.
. "$top_srcdir/tests/lib.sh"

marker=$((RANDOM % 1000 + 30)).$$
cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:stubborn]
command = trap '' TERM; echo x >>$T/runs; sleep $marker
interval = 10ms
timeout = 200ms
INI

# overlap WHAT HINIT...: the most copies of the command alive at once.
overlap() {
	local what=$1 most=0 n
	shift
	: >"$T/runs"
	timeout 30 "$@" -q -c "$T/hinit.ini" -- sleep 3.5 &
	job=$!
	on_exit "kill -KILL $job; pkill -KILL -f '^sleep $marker\$'"
	while kill -0 $job 2>/dev/null; do
		n=$(pgrep -c -f "^sleep $marker\$")
		[ "$n" -gt "$most" ] && most=$n
		sleep 0.02
	done
	wait $job
	expect_eq "$what: exit code" 0 "$?"
	runs=$(wc -l <"$T/runs")
	note "$what: $runs runs, at most $most at once"
	[ "$runs" -ge 2 ] || fail "$what: $runs runs: no attempt after the first"
	[ "$most" -le 1 ] || fail "$what: $most runs alive at once"
	pass "$what: one run at a time"
}

overlap "PID 1" unshare --pid --fork --kill-child --mount-proc "$HINIT"
overlap "not PID 1" "$HINIT"
