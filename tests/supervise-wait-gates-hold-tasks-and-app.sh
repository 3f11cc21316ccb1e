#!/bin/bash
# [hinit] wait holds the tasks and the app until the named checks are
# healthy. Meanwhile the checks run with their own timings, hinit:state is
# "starting" with the app "waiting" (/health 503); once the check passes,
# the task runs, then the app, and the state turns healthy.
. "$top_srcdir/tests/lib.sh"

hport=$(free_port)
file=$T/status.json
cat >"$T/hinit.ini" <<INI
[hinit]
wait = db
wait_timeout = 30s
listen = 127.0.0.1:$hport
status_file = $file

[check:db]
command = test -f $T/db-up
interval = 100ms

[task:migrate]
command = date +%s.%N >$T/task-ran
INI

timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -- \
    sh -c "date +%s.%N >$T/app-ran; exec sleep 1000" 2>"$T/err" &
pid=$!
on_exit "kill -TERM $pid"

field() {	# field PYTHON-EXPR: from the status document
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print('"$1"')' \
	    "$file" 2>/dev/null
}
code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time "$(slow 5)" \
	    "http://127.0.0.1:$hport/health"
}
streak_over() {
	[ "$(field 'd["checks"]["db:responseTime"][0]["hinit:failingStreak"]')" -gt "$1" ]
}
is_state() { [ "$(field 'd["hinit:state"]')" = "$1" ]; }
wait_for 5 test -f "$file" || fail "no status file"
# Many attempts at 100ms: the check runs while the gate holds.
wait_for 10 streak_over 5 ||
    fail "the check did not run while the gate held: $(cat "$file")"
[ -e "$T/task-ran" ] && fail "the task ran before the gate opened"
[ -e "$T/app-ran" ] && fail "the app started before the gate opened"
expect_eq "state while waiting" starting "$(field 'd["hinit:state"]')"
expect_eq "app while waiting" waiting "$(field 'd["hinit:app"]["state"]')"
expect_eq "/health while waiting" 503 "$(code)"
grep -q "waiting for db" "$T/err" || fail "no 'waiting for db' line: $(cat "$T/err")"
pass "the gate holds the task and the app while the check fails"

date +%s.%N >"$T/up-time"
touch "$T/db-up"
wait_for 10 test -s "$T/app-ran" || fail "the app did not start: $(cat "$T/err")"
[ -s "$T/task-ran" ] || fail "the app started but the task never ran"
python3 - "$T/up-time" "$T/task-ran" "$T/app-ran" <<'PY' || fail "order: $(cat "$T/up-time" "$T/task-ran" "$T/app-ran")"
import sys
up, task, app = (float(open(f).read()) for f in sys.argv[1:])
sys.exit(0 if up <= task <= app else 1)
PY
pass "gate, then the task, then the app"

wait_for 10 is_state healthy ||
    fail "never healthy after the gate: $(cat "$file")"
expect_eq "app once launched" running "$(field 'd["hinit:app"]["state"]')"
expect_eq "/health once healthy" 200 "$(code)"
pass "starting -> healthy once the app runs"

kill -TERM $pid
wait $pid
expect_eq "exit code (sleep killed by SIGTERM)" 143 "$?"

# The checks start over with the app: a check of the app that failed all
# through a long task (past its start_period) is "starting", not unhealthy,
# when the app starts, and start_period counts from then. The test ends
# the task once the check is unhealthy, and makes the check pass once it
# read "starting" (within the start_period, 2s x TEST_SLOW).
cat >"$T/late.ini" <<INI
[hinit]
status_file = $T/late.json

[check:web]
command = test -f $T/web-up
interval = 100ms
retries = 1
start_period = $(slow 2)s

[task:slow]
command = wait-for 60 test -e $T/task-go
INI
timeout "$(slow 60)" "$HINIT" -c "$T/late.ini" -- sleep 1000 2>"$T/err" &
pid=$!
on_exit "kill -TERM $pid"
late() {
	python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print('"$1"')' \
	    "$T/late.json" 2>/dev/null
}
web() { late 'd["checks"]["web:responseTime"][0]["hinit:state"]'; }
web_is() { [ "$(web)" = "$1" ]; }
app_running() { [ "$(late 'd["hinit:app"]["state"]')" = running ]; }
wait_for 20 web_is unhealthy || fail "the check during the task: $(web)"
app_running && fail "the app runs during the task"
pass "the check is unhealthy during a task past its start_period"
touch "$T/task-go"
wait_for 10 app_running || fail "the app did not start"
expect_eq "the check when the app starts" starting "$(web)"
touch "$T/web-up"
wait_for 10 grep -q 'check web: healthy' "$T/err" || fail "never healthy"
grep -c 'check web: unhealthy' "$T/err" | grep -qx 1 ||
    fail "unhealthy after the app started, inside its start_period: $(cat "$T/err")"
kill -TERM $pid
wait $pid
pass "the checks start over with the app: start_period counts from its start"
