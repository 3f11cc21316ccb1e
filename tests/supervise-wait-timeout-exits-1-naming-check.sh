#!/bin/bash
# A gate that never opens: at wait_timeout hinit exits 1, naming each check
# still failing with its state and last output; no task, no app ever ran.
# A task's own wait is bounded by wait_timeout too.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)	# nobody listens
cat >"$T/hinit.ini" <<INI
[hinit]
wait = db, ok
wait_timeout = 2s
status_file = $T/status.json

[check:db]
url = tcp://127.0.0.1:$port
interval = 100ms

[check:ok]
command = true
interval = 100ms

[task:migrate]
command = touch $T/task-ran
INI

start=$(date +%s.%N)
timeout "$(slow 30)" "$HINIT" -c "$T/hinit.ini" -- touch "$T/app-ran" 2>"$T/err"
rc=$?
took=$(python3 -c "import time; print(time.time() - $start)")
expect_eq "exit code at wait_timeout" 1 "$rc"
[ -e "$T/task-ran" ] && fail "the task ran"
[ -e "$T/app-ran" ] && fail "the app ran"
python3 -c "import sys; sys.exit(not 1.95 <= $took < 2 + 5 * $TEST_SLOW)" ||
    fail "gave up after ${took}s, wait_timeout is 2s"
line=$(grep 'gave up waiting' "$T/err")
expect_match "names the failing check and its last output" \
    "gave up waiting for db after 2s: unhealthy, last attempt: fail: 127.0.0.1:$port: connection refused" "$line"
expect_no_match "does not name the healthy check" "for ok " "$line"
pass "exit 1 after wait_timeout, naming db and why (${took}s)"

# The same bound holds for a task's own wait.
cat >"$T/task.ini" <<INI
[hinit]
wait_timeout = 1s
status_file = $T/status.json

[check:db]
url = tcp://127.0.0.1:$port
interval = 100ms

[task:first]
command = touch $T/first-ran

[task:migrate]
command = touch $T/task-ran
wait = db
INI
timeout "$(slow 30)" "$HINIT" -c "$T/task.ini" -- touch "$T/app-ran" 2>"$T/err"
expect_eq "exit code at a task's wait_timeout" 1 "$?"
[ -e "$T/first-ran" ] || fail "the task before it did not run"
[ -e "$T/task-ran" ] && fail "the waiting task ran"
[ -e "$T/app-ran" ] && fail "the app ran"
expect_match "names the task and the check" \
    "task migrate: gave up waiting for db after 1s" "$(cat "$T/err")"
pass "a task's wait is bounded by wait_timeout"
