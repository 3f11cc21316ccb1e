#!/bin/bash
# A failing task with on_failure = exit: hinit exits with the task's code and
# the app never starts; with continue, the next task and the app run. A
# task over its timeout: SIGTERM to its whole group, SIGKILL after the grace
# if it ignores it, then it fails with 124.
. "$top_srcdir/tests/lib.sh"

run() {	# run INI: hinit with that config; the app touches app-ran
	rm -f "$T/app-ran"
	timeout "$(slow 60)" "$HINIT" --grace 1s -c "$1" -- touch "$T/app-ran" 2>"$T/err"
}

cat >"$T/exit.ini" <<INI
[task:migrate]
command = echo migrating; exit 3
[task:never]
command = touch $T/never-ran
INI
run "$T/exit.ini"
expect_eq "exit code: the task's" 3 "$?"
[ -e "$T/app-ran" ] && fail "the app started after a failed task"
[ -e "$T/never-ran" ] && fail "the next task ran after a failed task"
grep -q "task migrate failed (3): exiting" "$T/err" || fail "no failure line: $(cat "$T/err")"
pass "on_failure = exit: the task's code, nothing more runs"

cat >"$T/continue.ini" <<INI
[task:migrate]
command = exit 3
on_failure = continue
[task:next]
command = touch $T/next-ran
INI
run "$T/continue.ini"
expect_eq "exit code: the app's" 0 "$?"
[ -e "$T/next-ran" ] || fail "the next task did not run"
[ -e "$T/app-ran" ] || fail "the app did not start"
pass "on_failure = continue: the next task and the app run"

# A task killed by a signal fails with 128+N.
cat >"$T/signal.ini" <<INI
[task:crash]
command = kill -SEGV \$\$
INI
run "$T/signal.ini"
expect_eq "exit code: 128 + SIGSEGV" 139 "$?"
pass "a task killed by a signal: 128+N"

# Timeout: the task and its background child both get SIGTERM (the group).
cat >"$T/slow.py" <<'PY'
import os, signal, subprocess, sys, time
who = sys.argv[2]
def term(sig, frame):
    with open(sys.argv[1], "a") as f:
        f.write(who + "\n")
    if who == "term":	# the child gets it from the group, not later:
        t = time.time()	# the leader waits for it (for a while)
        while "child-term\n" not in open(sys.argv[1]).read() and \
                time.time() - t < 10:
            time.sleep(0.01)
        with open(sys.argv[1], "a") as f:
            f.write("leader-exit\n")
    sys.exit(1)
signal.signal(signal.SIGTERM, term)
if who == "term":
    subprocess.Popen([sys.executable, __file__, sys.argv[1], "child-term"])
    while not os.path.exists(sys.argv[1] + ".child-ready"):
        time.sleep(0.01)
else:
    open(sys.argv[1] + ".child-ready", "w").close()
while True:
    time.sleep(0.05)
PY
cat >"$T/timeout.ini" <<INI
[task:slow]
command = exec python3 $T/slow.py $T/terms term
timeout = 2s
INI
start=$(date +%s.%N)
run "$T/timeout.ini"
rc=$?
took=$(python3 -c "import time; print(time.time() - $start)")
expect_eq "exit code of a timed-out task" 124 "$rc"
[ -e "$T/app-ran" ] && fail "the app started after a timed-out task"
expect_eq "SIGTERM reached the task and its child at once" "child-term
term
leader-exit" "$(head -2 "$T/terms" | LC_ALL=C sort; sed -n 3p "$T/terms")"
[ -e "$T/terms.child-ready" ] || fail "the task's child never started"
python3 -c "import sys; sys.exit(not 1.95 <= $took < 2 + 6 * $TEST_SLOW)" || fail "took ${took}s"
grep -q "task slow: timed out after 2s: SIGTERM" "$T/err" || fail "no timeout line: $(cat "$T/err")"
pass "timeout: SIGTERM to the group, exit 124 (${took}s)"

# A task that ignores SIGTERM is killed after the grace.
cat >"$T/stubborn.ini" <<INI
[task:stubborn]
command = trap "" TERM; while :; do sleep 0.05; done
timeout = 300ms
on_failure = continue
INI
start=$(date +%s.%N)
run "$T/stubborn.ini"
rc=$?
took=$(python3 -c "import time; print(time.time() - $start)")
expect_eq "exit code: the app's, after continue" 0 "$rc"
[ -e "$T/app-ran" ] || fail "the app did not start after continue"
python3 -c "import sys; sys.exit(not 1.25 <= $took < 1.3 + 4.7 * $TEST_SLOW)" ||
    fail "took ${took}s: timeout 300ms + grace 1s expected"
grep -q "task stubborn: killed by SIGKILL" "$T/err" || fail "not killed: $(cat "$T/err")"
pass "a task ignoring SIGTERM: SIGKILL after the grace (${took}s)"
