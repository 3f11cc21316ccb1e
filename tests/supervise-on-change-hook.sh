#!/bin/bash
# on_change = COMMAND runs on each event with the event in its environment
# (HINIT_EVENT, HINIT_CHECK, HINIT_STATE, HINIT_PREVIOUS, HINIT_OUTPUT):
# a check's state, the overall state, a restart, the restart limit. One at
# a time, never two at once; events that pile up meanwhile are folded; its
# output is logged as "on_change: ..."; a secret in a check's output reaches
# it as ***; hook_timeout ends a hook that hangs, and a failing hook changes
# nothing else. The hook of the restart limit runs to its end before hinit
# exits. As PID 1.
. "$top_srcdir/tests/lib.sh"

export HOOK_SECRET=hook-s3cret-value
cat >"$T/hook.sh" <<'SH'
# Two at once would find the lock taken.
mkdir "$HOOK_DIR/lock" 2>/dev/null || echo OVERLAP >>"$HOOK_DIR/events"
printf '%s|%s|%s|%s|%s\n' "$HINIT_EVENT" "$HINIT_CHECK" "$HINIT_STATE" \
    "$HINIT_PREVIOUS" "$HINIT_OUTPUT" >>"$HOOK_DIR/events"
echo "told of $HINIT_EVENT"
[ "$HINIT_EVENT" = restart_limit ] && { sleep 0.5; echo done >"$HOOK_DIR/last"; }
sleep 0.2
rmdir "$HOOK_DIR/lock"
exit 3
SH
export HOOK_DIR=$T

cat >"$T/hinit.ini" <<INI
[hinit]
on_change = sh $T/hook.sh
restart = on-failure
restart_delay = 100ms
restart_limit = 1
grace = 10s
status_file = $T/status.json

[check:web]
command = echo "token \${HOOK_SECRET}"; test -f $T/alive
interval = 100ms
retries = 1
INI

touch "$T/alive"
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" -- \
    sh -c "echo >>$T/starts; while [ ! -f $T/crash ]; do sleep 0.05; done; exit 5" \
    >"$T/out" 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
has() { grep -qF -- "$1" "$T/events" 2>/dev/null; }
wait_for 20 has "state||healthy|starting|" || fail "no state event: $(cat "$T/events" "$T/err")"
has "check|web|healthy|starting|token ***" ||
    fail "no check event with the output scrubbed: $(cat "$T/events")"
pass "check and overall state events, the output scrubbed"

# Flapping while a hook runs: folded, never two at once.
for _ in 1 2 3 4 5; do
	rm -f "$T/alive"; sleep 0.15; touch "$T/alive"; sleep 0.15
done
rm -f "$T/alive"
wait_for 20 has "check|web|unhealthy|healthy|" || fail "no unhealthy event: $(cat "$T/events")"
has OVERLAP && fail "two hooks at once: $(cat "$T/events")"
n=$(grep -c '^check|web|' "$T/events")
note "check events for 10 changes: $n"
[ "$n" -lt 11 ] || fail "nothing folded: $(cat "$T/events")"
grep -q "on_change: told of check" "$T/err" || fail "the hook's output is not logged: $(cat "$T/err")"
grep -q "on_change: exited with 3" "$T/err" || fail "the hook's failure is not said"
pass "one at a time, events folded ($n for 10 changes), output logged"

# A restart, then the limit: the last hook runs to its end first.
touch "$T/crash"
wait_for 20 has "restart|" || fail "no restart event: $(cat "$T/events")"
wait_for 20 sh -c "! kill -0 $upid" || fail "hinit did not give up: $(cat "$T/err")"
wait $upid
expect_eq "exit code" 5 "$?"
has "restart_limit|" || fail "no restart_limit event: $(cat "$T/events")"
expect_eq "the last hook ran to its end" done "$(cat "$T/last" 2>/dev/null)"
grep -qF "$HOOK_SECRET" "$T/events" "$T/err" "$T/out" && fail "the secret in an output"
pass "restart and restart_limit events; the last hook ends before hinit"

# hook_timeout: a hook that hangs is ended.
cat >"$T/hinit.ini" <<INI
[hinit]
on_change = sleep 1000
hook_timeout = 300ms
status_file = $T/status.json
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" -- \
    sleep 1000 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
wait_for 20 grep -q "on_change: still running after 300ms: SIGTERM" "$T/err" ||
    fail "a hanging hook was not ended: $(cat "$T/err")"
wait_for 20 grep -q "on_change: killed by SIGTERM" "$T/err" ||
    fail "the hook did not end: $(cat "$T/err")"
pass "hook_timeout ends a hanging hook"
