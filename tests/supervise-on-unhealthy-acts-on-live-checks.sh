#!/bin/bash
# on_unhealthy acts on live checks only, only once they are unhealthy (never
# inside start_period), and only on an app that runs (never during tasks):
# restart sends SIGTERM (SIGKILL after the grace) and starts the app again,
# counted; exit makes hinit exit 1. A ready check changes nothing.
. "$top_srcdir/tests/lib.sh"

config() {	# config ON_UNHEALTHY ROLE [EXTRA LINES]
	cat >"$T/hinit.ini" <<INI
[hinit]
on_unhealthy = $1
restart_delay = 100ms
grace = 500ms
status_file = $T/status.json

[check:web]
command = test -f $T/alive
interval = 100ms
retries = 2
start_period = 1500ms
start_interval = 100ms
role = $2
${3:-}
INI
}
starts() { wc -l <"$T/starts" 2>/dev/null || echo 0; }

# restart: the check fails from the start; not before start_period is over.
# The second start makes it pass.
config restart live
rm -f "$T/alive"; : >"$T/starts"
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -- sh -c "date +%s.%N >>$T/starts
    [ \$(wc -l <$T/starts) -ge 2 ] && touch $T/alive; exec sleep 1000" 2>"$T/err" &
pid=$!
on_exit "kill -TERM $pid"
wait_for 15 sh -c "[ \$(wc -l <$T/starts) -ge 2 ]" || fail "no restart: $(cat "$T/err")"
gap=$(python3 -c "import sys; t = [float(l) for l in open(sys.argv[1])]; print(t[1] - t[0])" "$T/starts")
python3 -c "import sys; sys.exit(not 1.5 <= $gap < 1.5 + 4.5 * $TEST_SLOW)" ||
    fail "restarted after ${gap}s: start_period is 1.5s"
grep -q "check web is unhealthy: restarting the app" "$T/err" || fail "no restart line"
# Alive from now on: the restarted app stays.
doc() { python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); print('"$1"')' "$T/status.json"; }
healthy() { [ "$(doc 'd["checks"]["web:responseTime"][0]["hinit:state"]')" = healthy ]; }
wait_for 10 healthy || fail "not healthy after the restart: $(cat "$T/status.json")"
expect_eq "starts once the check passes" 2 "$(starts)"
expect_eq "restarts counted" 1 "$(doc 'd["hinit:app"]["restarts"]')"
kill -TERM $pid
wait $pid
pass "restart after start_period (${gap}s), counted"

# restart: an app ignoring SIGTERM gets SIGKILL after the grace.
rm -f "$T/alive"; : >"$T/starts"
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -- sh -c "trap '' TERM; date +%s.%N >>$T/starts; while :; do sleep 0.05; done" 2>"$T/err" &
pid=$!
on_exit "kill -TERM $pid"
wait_for 15 sh -c "[ \$(wc -l <$T/starts) -ge 2 ]" || fail "a stubborn app was not restarted: $(cat "$T/err")"
kill -TERM $pid
wait $pid
grep -q "still runs after the grace: SIGKILL" "$T/err" || fail "no SIGKILL line: $(cat "$T/err")"
pass "an app ignoring SIGTERM is killed after the grace and restarted"

# exit: hinit exits 1.
config exit live
rm -f "$T/alive"
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -- sleep 1000 2>"$T/err"
expect_eq "on_unhealthy = exit: exit code" 1 "$?"
grep -q "check web is unhealthy: exiting" "$T/err" || fail "no exit line: $(cat "$T/err")"
pass "on_unhealthy = exit: exit 1"

# A ready check failing changes nothing: the app ends once it is unhealthy.
config exit ready
rm -f "$T/alive"
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -- \
    wait-for 20 grep -q "check web: unhealthy" "$T/err" 2>"$T/err"
expect_eq "a ready check: the app's code" 0 "$?"
grep -q "check web: unhealthy" "$T/err" || fail "the check never turned unhealthy"
pass "a ready check turning unhealthy changes nothing"

# Never while a task runs: the live check (of the app) fails during the
# task, which ends once it is unhealthy; the app makes it pass once it runs.
# ([u]: the pattern must not match the log's "running" line that shows it.)
config exit live "
[task:slow]
command = wait-for 20 grep -q 'check web: [u]nhealthy' $T/err"
rm -f "$T/alive"
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -- sh -c "touch $T/alive; sleep 2; exit 7" 2>"$T/err"
expect_eq "exit code: the app's" 7 "$?"
grep -q "check web: unhealthy" "$T/err" || fail "the check never turned unhealthy during the task"
pass "a live check unhealthy during a task does not exit"
