#!/bin/bash
# A line of a task's output that hinit passes on unfinished may end inside a
# secret: the task exited mid-line and what it left goes on with the line, or
# what it left is ended at hinit's exit in the middle of one. The start of
# the secret the cut piece ends with is hidden (a start of 7 bytes, under the
# 8 an echo needs, once passed on in the clear), and the rest that follows it.
# As PID 1 and not.
. "$top_srcdir/tests/lib.sh"

export CUT_SECRET=Zq9xKw2pLm7vRt4s
cat >"$T/hinit.ini" <<INI
[task:split]
command = S=\${CUT_SECRET}; export S; printf 'tok=%.7s' "\$S"; (wait-for 30 test -f $T/go; echo "\$S" | cut -c8-; touch $T/split-done) &
[task:last]
command = S=\${CUT_SECRET}; export S; (trap 'printf "end=%.7s" "\$S"; exit' TERM; touch $T/last-ready; while :; do sleep 0.05; done) &
INI

# cut WHAT HINIT...
cut_line() {
	local what=$1
	shift
	rm -f "$T/go" "$T/split-done" "$T/last-ready"
	timeout 60 "$@" -c "$T/hinit.ini" -- sh -c "
		wait-for 30 test -f $T/last-ready
		touch $T/go
		wait-for 30 test -f $T/split-done" 2>"$T/log"
	expect_eq "$what: exit code" 0 "$?"
	grep -qx "split: tok=\*\*\*" "$T/log" ||
	    fail "$what: the piece before the task's exit: $(grep split: "$T/log")"
	grep -qx "split: \*\*\*" "$T/log" ||
	    fail "$what: the rest after it: $(grep split: "$T/log")"
	grep -qx "last: end=\*\*\*" "$T/log" ||
	    fail "$what: the last words: $(grep last: "$T/log")"
	expect_no_match "$what: no piece of the secret" "Zq9xKw2|pLm7vRt4s" \
	    "$(cat "$T/log")"
	pass "$what: pieces of a secret cut apart are hidden"
}

cut_line "PID 1" unshare --pid --fork --kill-child --mount-proc "$HINIT"
cut_line "not PID 1" "$HINIT"
