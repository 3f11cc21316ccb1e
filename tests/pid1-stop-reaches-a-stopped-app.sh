#!/bin/bash
# An app that was stopped (SIGSTOP, SIGTSTP) still stops when hinit does:
# with the signal it is sent comes SIGCONT, as systemd sends, so it takes
# the signal at once instead of waiting out the grace for SIGKILL. The same
# for what it left, and for an on_unhealthy restart. As PID 1.
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[hinit]
grace = 60s
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/status.json" -- \
    sh -c "sleep 1000 & echo \$! >$T/child; exec sleep 1001" 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
hpid=$(hinit_pid $upid) || fail "no hinit"
wait_for 10 test -s "$T/child" || fail "the app did not start"
app=$(pgrep -P "$hpid" -x sleep) || fail "no app"
child=$(pgrep -P "$hpid" -f "^sleep 1000$") || child=
kill -STOP $app $child
kill -TERM "$hpid"
wait_for 30 sh -c "! kill -0 $upid" ||
    fail "a stopped app waited out the grace (60s): $(cat "$T/err")"
wait $upid
expect_eq "exit code" 143 "$?"
pass "a stopped app takes SIGTERM at once"

# on_unhealthy = restart: a stopped app is restarted without the grace.
cat >"$T/hinit.ini" <<INI
[hinit]
grace = 60s
on_unhealthy = restart
restart_delay = 100ms
[check:alive]
command = test ! -f $T/fail
interval = 100ms
retries = 1
role = live
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/status.json" -- \
    sh -c "echo >>$T/starts; exec sleep 1002" 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
hpid=$(hinit_pid $upid) || fail "no hinit"
wait_for 10 test -s "$T/starts" || fail "the app did not start"
app=$(pgrep -P "$hpid" -x sleep) || fail "no app"
kill -STOP $app
touch "$T/fail"
wait_for 30 sh -c "[ \$(wc -l <$T/starts) -ge 2 ]" ||
    fail "a stopped app was not restarted within 30s (grace 60s): $(cat "$T/err")"
rm -f "$T/fail"
grep -q "still runs after the grace" "$T/err" && fail "SIGKILLed after the grace"
pass "on_unhealthy = restart: a stopped app is restarted at once"
