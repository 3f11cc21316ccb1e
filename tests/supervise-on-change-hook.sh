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
# Held while the test makes events pile up.
if [ -e "$HOOK_DIR/hold" ]; then
	: >"$HOOK_DIR/held"
	while [ -e "$HOOK_DIR/hold" ]; do sleep 0.02; done
fi
# Told of the stop: takes its time; hinit must let it end.
[ "$HINIT_STATE" = stopping ] && { sleep 0.5; echo done >"$HOOK_DIR/last"; }
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
grace = $(slow 10)s
status_file = $T/status.json

[check:web]
command = echo "token \${HOOK_SECRET}"; test -f $T/alive
interval = 100ms
retries = 1
INI

touch "$T/alive"
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" -- \
    sh -c "echo >>$T/starts; n=\$(wc -l <$T/starts); while [ ! -f $T/crash\$n ]; do sleep 0.05; done; exit 5" \
    >"$T/out" 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
has() { grep -qF -- "$1" "$T/events" 2>/dev/null; }
wait_for 20 has "state||healthy|starting|" || fail "no state event: $(cat "$T/events" "$T/err")"
has "check|web|healthy|starting|token ***" ||
    fail "no check event with the output scrubbed: $(cat "$T/events")"
pass "check and overall state events, the output scrubbed"

# Changes while a hook runs wait, folded: healthy then unhealthy again
# while one waits is no change at all. Each change is seen by hinit before
# the next is made.
changes() { grep -c "check web: $1" "$T/err"; }
# Idle: every hook that ran has been reaped by hinit (each exits 3).
idle() {
	[ "$(grep -c 'on_change: exited with 3' "$T/err")" = \
	    "$(wc -l <"$T/events")" ]
}
wait_for 20 idle || fail "the hook never ends"
touch "$T/hold"
u=$(changes unhealthy); h=$(changes healthy)
rm -f "$T/alive"
wait_for 20 test -e "$T/held" || fail "the hook did not run: $(cat "$T/err")"
for i in 1 2; do
	touch "$T/alive"
	wait_for 20 sh -c "[ \$(grep -c 'check web: healthy' $T/err) -gt $h ]" ||
	    fail "not healthy again"
	h=$((h + 1))
	rm -f "$T/alive"
	wait_for 20 sh -c "[ \$(grep -c 'check web: unhealthy' $T/err) -gt $((u + i)) ]" ||
	    fail "not unhealthy again"
done
before=$(grep -c '^check|web|' "$T/events")
rm -f "$T/hold"
touch "$T/alive"
wait_for 20 has "check|web|healthy|unhealthy|" || fail "no last event: $(cat "$T/events")"
wait_for 20 idle || fail "the hook never ends"
after=$(grep -c '^check|web|' "$T/events")
expect_eq "check events after four changes folded away and one more" \
    $((before + 1)) "$after"
has OVERLAP && fail "two hooks at once: $(cat "$T/events")"
grep -q "on_change: told of check" "$T/err" || fail "the hook's output is not logged: $(cat "$T/err")"
grep -q "on_change: exited with 3" "$T/err" || fail "the hook's failure is not said"
pass "one at a time, events folded while one runs, output logged"

# A restart, then the limit: both told.
touch "$T/crash1"
wait_for 20 has "restart|" || fail "no restart event: $(cat "$T/events")"
touch "$T/crash2"
wait_for 20 sh -c "! kill -0 $upid" || fail "hinit did not give up: $(cat "$T/err")"
wait $upid
expect_eq "exit code" 5 "$?"
has "restart_limit||exited|restarting|sh restarted 1 time within 1m" ||
    fail "no restart_limit event: $(cat "$T/events")"
grep -qF "$HOOK_SECRET" "$T/events" "$T/err" "$T/out" && fail "the secret in an output"
pass "restart and restart_limit events"

# The hook told of the stop runs to its end: it is spared the SIGTERM
# that everything else gets when the app has exited.
rm -f "$T/events" "$T/last"
cat >"$T/hinit.ini" <<INI
[hinit]
on_change = sh $T/hook.sh
grace = $(slow 10)s
status_file = $T/status.json
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" -- \
    sleep 1000 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
wait_for 20 has "state||healthy|starting|" || fail "no state event: $(cat "$T/err")"
wait_for 20 idle || fail "the hook never ends"
hpid=$(pgrep -P $upid -x hinit) || fail "no hinit"
kill -TERM "$hpid"
wait_for 20 sh -c "! kill -0 $upid" || fail "hinit did not stop: $(cat "$T/err")"
wait $upid
expect_eq "exit code" 143 "$?"
has "state||stopping|healthy|" || fail "no stopping event: $(cat "$T/events")"
expect_eq "the hook told of the stop ran to its end" done "$(cat "$T/last" 2>/dev/null)"
pass "the hook told of the stop ends before hinit"

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
