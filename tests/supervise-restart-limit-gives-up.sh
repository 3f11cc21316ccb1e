#!/bin/bash
# restart_limit = N: more than N restarts within restart_window and hinit
# gives up: it says why, ends what is left as on any exit, and exits with
# the app's last code (128+N for signal N, never mapped by -e), so that the
# orchestrator's own restart policy takes over. /health and /metrics say
# the limit is reached. Restarts further apart than the window never add
# up. As PID 1.
. "$top_srcdir/tests/lib.sh"

config() {	# config LIMIT WINDOW [EXTRA]
	cat >"$T/hinit.ini" <<INI
[hinit]
restart = always
restart_delay = 100ms
restart_limit = $1
restart_window = $2
status_file = $T/status.json
${3:-}
INI
}
starts() { wc -l <"$T/starts" 2>/dev/null || echo 0; }

# Two restarts allowed: three runs, then the app's code, even with -e 3.
config 2 60s
: >"$T/starts"
timeout 60 unshare --pid --fork --kill-child --mount-proc "$HINIT" -e 3 \
    -c "$T/hinit.ini" -- sh -c "echo >>$T/starts; exit 3" 2>"$T/err1"
expect_eq "exit code after the limit" 3 "$?"
expect_eq "runs" 3 "$(starts)"
grep -q "restarted 2 times within 1m (restart_limit): giving up, exiting with 3" "$T/err1" ||
    fail "no giving-up line: $(cat "$T/err1")"
pass "restart_limit = 2: three runs, then exit 3 (not mapped by -e)"

# Killed by a signal: 128+N.
config 1 60s
: >"$T/starts"
timeout 60 unshare --pid --fork --kill-child --mount-proc "$HINIT" \
    -c "$T/hinit.ini" -- sh -c "echo >>$T/starts; kill -KILL \$\$" 2>"$T/err2"
expect_eq "exit code of an app killed by SIGKILL" 137 "$?"
expect_eq "runs" 2 "$(starts)"
pass "an app killed by a signal: exit 128+N"

# While what is left stops: /health and /metrics say so.
hport=$(free_port)
config 1 60s "listen = 127.0.0.1:$hport
grace = 3s"
: >"$T/starts"
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" -- \
    sh -c "echo >>$T/starts; (trap '' TERM; sleep 30) & sleep 0.2; exit 4" \
    2>"$T/err3" &
upid=$!
on_exit "kill -KILL $upid"
wait_for 20 grep -q "giving up" "$T/err3" || fail "no giving up: $(cat "$T/err3")"
doc=$(curl -s --max-time 5 "http://127.0.0.1:$hport/health")
reached=$($PYTHON -c 'import json, sys; print(json.loads(sys.argv[1])["hinit:app"]["restartLimitReached"])' "$doc") ||
    fail "no document: $doc"
expect_eq "restartLimitReached" True "$reached"
metrics=$(curl -s --max-time 5 "http://127.0.0.1:$hport/metrics")
expect_match "metrics" $'\nhinit_app_restart_limit_reached 1\n' "$metrics"
wait $upid
expect_eq "exit code" 4 "$?"
pass "the JSON and /metrics say the limit is reached"

# Restarts further apart than the window never add up: each run lasts
# longer than the 1s window, so four runs pass a limit of 1.
config 1 1s
: >"$T/starts"
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" -- \
    sh -c "echo >>$T/starts; sleep 1.2; exit 3" 2>"$T/err4" &
upid=$!
on_exit "kill -KILL $upid"
wait_for 30 sh -c "[ \$(wc -l <$T/starts) -ge 4 ]" ||
    fail "gave up on restarts further apart than the window: $(cat "$T/err4")"
kill -0 $upid || fail "hinit is gone"
grep -q "giving up" "$T/err4" && fail "gave up: $(cat "$T/err4")"
pass "restarts further apart than restart_window do not count"
