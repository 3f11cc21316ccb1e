#!/bin/bash
# Signals during a task go to the task's group. SIGTERM, SIGINT or SIGQUIT
# during a task stops everything: the task gets the signal at once (no
# drain: nothing serves yet), SIGKILL after the grace if it ignores it, the
# app never starts, and hinit, as PID 1, exits 128+N (0 when -e maps it).
. "$top_srcdir/tests/lib.sh"

# start INI [HINIT OPTIONS]: hinit as PID 1; waits until the task runs.
start() {
	local ini=$1
	shift
	rm -f "$T/running" "$T/app-ran" "$T/got" "$T/got.child-ready"
	unshare --pid --fork --kill-child --mount-proc \
	    "$HINIT" --grace 1s --drain 60s "$@" -c "$ini" -- touch "$T/app-ran" 2>"$T/err" &
	upid=$!
	on_exit "kill -9 $upid"
	hpid=$(hinit_pid $upid) || fail "hinit did not start"
	wait_for 10 test -e "$T/running" || fail "the task did not start: $(cat "$T/err")"
}
gone() { ! kill -0 "$1" 2>/dev/null || ps -o stat= -p "$1" | grep -q Z; }
finish() {	# finish EXPECTED-CODE WHAT
	wait_for 20 gone $upid || fail "$2: hinit still runs"
	wait $upid
	expect_eq "$2" "$1" "$?"
	[ -e "$T/app-ran" ] && fail "$2: the app started"
	return 0
}

cat >"$T/task.py" <<'PY'
import os, signal, subprocess, sys, time
out, who = sys.argv[1], sys.argv[2]
def got(sig, frame):
    name = signal.Signals(sig).name[3:]
    with open(out, "a") as f:
        f.write((who if who == "child" else name) + "\n")
    if sig in (signal.SIGUSR1, signal.SIGHUP):
        return
    if who == "task":	# the child gets it from the group, not later:
        t = time.time()	# the leader waits for it (for a while)
        while time.time() - t < 10:
            got = open(out).read().split()
            if got.count("child") >= len(got) - got.count("child"):
                break
            time.sleep(0.01)
        with open(out, "a") as f:
            f.write("leader-exit\n")
    sys.exit(9)
for s in ("USR1", "HUP", "TERM", "INT", "QUIT"):
    signal.signal(getattr(signal, "SIG" + s), got)
if who == "task":
    subprocess.Popen([sys.executable, __file__, out, "child"])
    while not os.path.exists(out + ".child-ready"):
        time.sleep(0.01)
    open(sys.argv[3], "w").close()
else:
    open(out + ".child-ready", "w").close()
while True:
    time.sleep(0.05)
PY
cat >"$T/task.ini" <<INI
[task:migrate]
command = exec python3 $T/task.py $T/got task $T/running
INI

start "$T/task.ini"
kill -USR1 $hpid
kill -HUP $hpid
wait_for 5 grep -qx HUP "$T/got" || fail "SIGHUP did not reach the task"
grep -qx USR1 "$T/got" || fail "SIGUSR1 did not reach the task"
pass "other signals reach the task"
t0=$(date +%s.%N)
kill -TERM $hpid
finish 143 "SIGTERM during a task"
took=$(python3 -c "import time; print(time.time() - $t0)")
grep -qx TERM "$T/got" || fail "the task did not get SIGTERM: $(cat "$T/got")"
expect_eq "the task's child got SIGTERM with it (its group)" "TERM
child
leader-exit" "$(tail -n 3 "$T/got" | head -2 | LC_ALL=C sort; tail -n 1 "$T/got")"
python3 -c "import sys; sys.exit(not $took < 4 * $TEST_SLOW)" ||
    fail "took ${took}s: the drain (60s) applied to a task"
pass "SIGTERM during a task: the group gets it, no drain, exit 143 (${took}s)"

start "$T/task.ini"
kill -INT $hpid
finish 130 "SIGINT during a task"
grep -qx INT "$T/got" || fail "the task did not get SIGINT: $(cat "$T/got")"
pass "SIGINT during a task: exit 130"

start "$T/task.ini" -e 131
kill -QUIT $hpid
finish 0 "SIGQUIT during a task with -e 131"
pass "SIGQUIT with -e 131: exit 0"

cat >"$T/stubborn.ini" <<INI
[task:stubborn]
command = trap "" TERM; touch $T/running; while :; do sleep 0.05; done
INI
start "$T/stubborn.ini"
t0=$(date +%s.%N)
kill -TERM $hpid
finish 143 "SIGTERM during a task ignoring it"
took=$(python3 -c "import time; print(time.time() - $t0)")
python3 -c "import sys; sys.exit(not 0.95 <= $took < 1 + 4 * $TEST_SLOW)" ||
    fail "took ${took}s, grace is 1s"
pass "a task ignoring SIGTERM: SIGKILL after the grace (${took}s)"

# During the gate, no task runs: SIGTERM exits at once with 143.
cat >"$T/gate.ini" <<INI
[hinit]
wait = never
[check:never]
command = false
interval = 100ms
[task:migrate]
command = touch $T/task-ran
INI
unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" --drain 60s -c "$T/gate.ini" -- touch "$T/app-ran" 2>"$T/err" &
upid=$!
on_exit "kill -9 $upid"
hpid=$(hinit_pid $upid) || fail "hinit did not start"
wait_for 5 grep -q "waiting for never" "$T/err" || fail "not waiting: $(cat "$T/err")"
kill -TERM $hpid
finish 143 "SIGTERM during the gate"
[ -e "$T/task-ran" ] && fail "the task ran after SIGTERM"
pass "SIGTERM during the gate: exit 143, nothing runs"
