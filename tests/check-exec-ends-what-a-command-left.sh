#!/bin/bash
# An exec check whose command leaves a process behind in the background
# (it passes, or fails) never piles processes up: what a run left gets
# SIGTERM (SIGKILL a second later, for one that ignores it) once the
# command has ended, and the next attempt waits for it to go. As PID 1.
. "$top_srcdir/tests/lib.sh"

mark=$$$RANDOM	# sleep 1000.MARK: a number, this test's own
cat >"$T/hinit.ini" <<INI
[check:passes]
command = sleep 1000.$mark & echo started
interval = 100ms
[check:stubborn]
command = sh -c 'trap "" TERM; exec sleep 999.$mark' & exit 3
interval = 100ms
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/status.json" -- sleep 1000 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
# Five attempts each at least (the log keeps five).
five() {
	$PYTHON -c 'import json, sys
d = json.load(open(sys.argv[1]))["checks"]
sys.exit(min(len(v[0]["hinit:log"]) for v in d.values()) < 5)' \
	    "$T/status.json" 2>/dev/null
}
wait_for 60 five || fail "not five attempts each: $(cat "$T/status.json" "$T/err")"
n=$(pgrep -fc "^sleep 1000\.$mark\$")
note "left by the passing check: $n"
[ "$n" -le 1 ] || fail "$n processes left by the passing check"
n=$(pgrep -fc "^sleep 999\.$mark\$")
note "left by the failing check, ignoring SIGTERM: $n"
[ "$n" -le 1 ] || fail "$n processes left by the check whose leftover ignores SIGTERM"
pass "what a command left is ended; never more than one at a time"
