#!/bin/bash
# notify = yes in a config that has [check:...] sections too: hinit starts,
# check app follows READY=1 beside the others, and the overall state takes
# both. (hinit looked the check app up among the sections and crashed at
# start with a NULL check; hinit -t shows the sections written.) No wait can name check app, which is told only
# once the app runs: hinit -t and a run refuse it, naming the line. As PID 1.
. "$top_srcdir/tests/lib.sh"
PY=$PYTHON

cat >"$T/hinit.ini" <<INI
[hinit]
notify = yes
status_file = $T/status.json

[check:disk]
command = test -d $T
interval = 100ms
INI

# hinit -t takes it and shows the sections written, not the check app.
out=$(timeout 10 "$HINIT" -t -c "$T/hinit.ini" 2>&1) ||
    fail "hinit -t refused it: $out"
expect_no_match "-t output" '\[check:app\]' "$out"

# field CHECK: its state in the status file; overall: the document's.
field() {
	$PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
if sys.argv[2] == "overall":
    print(d["hinit:state"])
else:
    print(d["checks"][sys.argv[2] + ":responseTime"][0]["hinit:state"])' \
	    "$T/status.json" "$1" 2>/dev/null
}
is() { [ "$(field "$1")" = "$2" ]; }

: >"$T/starts"
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    -- $PY "$top_srcdir/tests/fixtures/notifyapp.py" "$T" 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
wait_for 10 test -s "$T/starts" ||
    fail "the app did not start: $(cat "$T/err")"
wait_for 10 is disk healthy || fail "check disk: $(cat "$T/err")"
expect_eq "check app before READY=1" starting "$(field app)"
expect_eq "overall before READY=1" starting "$(field overall)"
touch "$T/ready"
wait_for 10 is app healthy || fail "READY=1 was not heard: $(cat "$T/err")"
wait_for 10 is overall healthy || fail "overall: $(field overall)"
kill -TERM "$(hinit_pid $upid)"
wait $upid
expect_eq "exit code" 143 "$?"
pass "check app beside [check:disk]: READY=1 makes hinit healthy"

for where in "[hinit]" "[task:migrate]"; do
	{
		printf '[hinit]\nnotify = yes\n'
		[ "$where" = "[hinit]" ] && echo "wait = app"
		printf '[task:migrate]\ncommand = true\n'
		[ "$where" = "[task:migrate]" ] && echo "wait = app"
	} >"$T/wait.ini"
	line=$(grep -n "wait = app" "$T/wait.ini" | cut -d: -f1)
	out=$("$HINIT" -t -c "$T/wait.ini" 2>&1)
	expect_eq "$where wait = app: hinit -t" 2 "$?"
	expect_match "$where wait = app: the error" \
	    "wait.ini:$line: .* wait: check app is the app's own" "$out"
	out=$(timeout 10 "$HINIT" -c "$T/wait.ini" -- true 2>&1)
	expect_eq "$where wait = app: a run" 2 "$?"
	pass "$where wait = app is refused: $out"
done
