#!/bin/bash
# A process a task leaves in the background keeps the task's output pipe:
# hinit reads it to the end, so the process does not die of SIGPIPE when the
# task exits; what it writes is passed on (as the task's) up to 64 KiB, then
# dropped, and the app starts meanwhile. As PID 1 and not.
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[task:late]
command = (sleep 0.5; echo late line; touch $T/late-alive) & echo early line
[task:chatty]
command = (i=0; while [ \$i -lt 50000 ]; do echo line \$i; i=\$((i + 1)); done; touch $T/chatty-alive) &
INI

# leftover WHAT HINIT...
leftover() {
	local what=$1 n
	shift
	rm -f "$T/late-alive" "$T/chatty-alive"
	timeout 60 "$@" -c "$T/hinit.ini" -- sh -c "
		while [ ! -f $T/late-alive ] || [ ! -f $T/chatty-alive ]; do
			sleep 0.05
		done" 2>"$T/log"
	expect_eq "$what: exit code" 0 "$?"
	grep -qx "late: early line" "$T/log" || fail "$what: no early line"
	grep -qx "late: late line" "$T/log" ||
	    fail "$what: the late line is missing: $(grep -v chatty: "$T/log")"
	n=$(grep -c "^chatty: line" "$T/log")
	note "$what: $n lines of 50000 passed on"
	[ "$n" -ge 1000 ] && [ "$n" -lt 50000 ] ||
	    fail "$what: $n lines passed on"
	grep -q "task chatty: what it left running writes on: no longer passed on" \
	    "$T/log" || fail "$what: the drop is not logged"
	pass "$what: the leftovers wrote to the end and lived"
}

leftover "PID 1" unshare --pid --fork --kill-child --mount-proc "$HINIT"
leftover "not PID 1" "$HINIT"
