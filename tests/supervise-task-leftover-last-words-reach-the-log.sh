#!/bin/bash
# What a task's leftover writes as hinit ends it (its SIGTERM handler's
# last words) is in the log: at the exit hinit reads the lingering task
# outputs to their end before it exits, rather than lose what the loop had
# not read yet with the pipe (most runs lost it, and with it a late line
# written just before the app ended). As PID 1 and not; ten runs each, as
# the loss was a race. The app ends once the leftover has its handler (not
# after a fixed time, which a loaded machine can outlast).
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[task:late]
command = (trap 'echo bye line; exit 0' TERM; touch $T/ready; while :; do sleep 0.05; done) & echo early line
INI

last_words() {	# last_words WHAT HINIT...
	local what=$1 i
	shift
	for i in 1 2 3 4 5 6 7 8 9 10; do
		rm -f "$T/ready"
		timeout "$(slow 20)" "$@" -c "$T/hinit.ini" -- \
		    wait-for 10 test -f "$T/ready" 2>"$T/log"
		expect_eq "$what, run $i: exit code" 0 "$?"
		grep -qx "late: early line" "$T/log" ||
		    fail "$what, run $i: no early line: $(cat "$T/log")"
		grep -qx "late: bye line" "$T/log" ||
		    fail "$what, run $i: the last words are lost: $(cat "$T/log")"
	done
	pass "$what: the leftover's last words reach the log, 10 runs of 10"
}

last_words "PID 1" unshare --pid --fork --kill-child --mount-proc "$HINIT"
last_words "not PID 1" "$HINIT"
