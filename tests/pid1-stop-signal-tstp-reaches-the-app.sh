#!/bin/bash
# stop_signal = SIGTSTP (SIGTTIN, SIGTTOU alike) reaches the app that
# handles it: the SIGCONT hinit sends with its stop signal goes first, since
# one sent after discards a stop signal still pending (the kernel does so)
# and the app then waited out the whole grace for SIGKILL. On hinit's stop
# and on an on_unhealthy restart. As PID 1.
. "$top_srcdir/tests/lib.sh"

cat >"$T/app.py" <<'PY'
import signal, sys
def stop(sig, frame):
    open(sys.argv[1], "a").write("SIG%d\n" % sig)
    sys.exit(7)
signal.signal(signal.SIGTSTP, stop)
open(sys.argv[2], "a").write("started\n")
while True:
    signal.pause()
PY

cat >"$T/hinit.ini" <<INI
[hinit]
stop_signal = SIGTSTP
grace = 60s
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    -- "$PYTHON" "$T/app.py" "$T/got" "$T/starts" \
    2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
hpid=$(hinit_pid $upid) || fail "no hinit"
wait_for 10 test -s "$T/starts" || fail "the app did not start"
kill -TERM "$hpid"
wait_for 30 sh -c "! kill -0 $upid" ||
    fail "the app did not take SIGTSTP: it waits out the grace (60s): $(cat "$T/err")"
wait $upid
expect_eq "exit code" 7 "$?"
expect_eq "what the app got" "SIG$($PYTHON -c 'import signal; print(int(signal.SIGTSTP))')" "$(cat "$T/got")"
pass "hinit's stop: the app takes stop_signal = SIGTSTP"

# on_unhealthy = restart: the same signal, and the app restarts at once.
rm -f "$T/got" "$T/starts"
cat >"$T/hinit.ini" <<INI
[hinit]
stop_signal = SIGTSTP
grace = 60s
on_unhealthy = restart
restart_delay = 100ms
[check:alive]
command = ! rm $T/fail 2>/dev/null
interval = 100ms
retries = 1
role = live
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    -- "$PYTHON" "$T/app.py" "$T/got" "$T/starts" \
    2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
hpid=$(hinit_pid $upid) || fail "no hinit"
# The check fails once the app has its handler, and once only: a second
# restart could stop the new app (SIGTSTP's default) before it has it.
wait_for 10 test -s "$T/starts" || fail "the app did not start"
touch "$T/fail"
wait_for 30 sh -c "[ \$(wc -l <$T/starts) -ge 2 ]" ||
    fail "the app was not restarted within 30s (grace 60s): $(cat "$T/err")"
rm -f "$T/fail"
wait_for 10 test -s "$T/got" || fail "the app did not record its signal"
expect_match "what the app got" "^SIG" "$(head -1 "$T/got")"
grep -q "still runs after the grace" "$T/err" && fail "SIGKILLed after the grace"
pass "on_unhealthy = restart: the app takes stop_signal = SIGTSTP"
