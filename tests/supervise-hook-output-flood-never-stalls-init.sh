#!/bin/bash
# An on_change hook that writes without end (yes) never stalls hinit: its
# output is read a bounded amount at a time, so the status file is written,
# hook_timeout ends the hook, and a SIGTERM stops hinit at once. hinit's
# stderr is a pipe, as under Docker: each line logged costs a write, the
# hook refills its pipe meanwhile, and a read to EOF never ended. As PID 1
# and not.
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[hinit]
on_change = yes
hook_timeout = 1s
grace = $(slow 5)s
status_file = $T/status.json
INI

# flood WHAT HINIT...
flood() {
	local what=$1 pid hpid rc
	shift
	rm -f "$T/status.json" "$T/log"
	# The hook's lines are counted, not kept: the log stays small.
	"$@" -c "$T/hinit.ini" -- sleep 1000 2> >(grep -v --line-buffered \
	    -x 'hinit: on_change: y' >"$T/log") &
	pid=$!
	on_exit "pkill -KILL -P $pid; kill -KILL $pid"
	if [ "$what" = "PID 1" ]; then
		hpid=$(hinit_pid $pid) || fail "$what: hinit did not start"
	else
		hpid=$pid
	fi
	wait_for 10 test -s "$T/status.json" ||
	    fail "$what: no status file while the hook floods"
	wait_for 10 grep -q "on_change: still running after 1s: SIGTERM" \
	    "$T/log" || fail "$what: hook_timeout never ended the hook"
	kill -TERM "$hpid"
	wait_for 10 ! kill -0 "$pid" ||
	    fail "$what: SIGTERM did not stop hinit"
	wait "$pid"
	rc=$?
	expect_eq "$what: exit code" 143 "$rc"
	pass "$what: the flooding hook was read, timed out and hinit stopped"
}

flood "PID 1" unshare --pid --fork --kill-child --mount-proc "$HINIT"
flood "not PID 1" "$HINIT"
