#!/bin/bash
# A SIGTERM sent while hinit starts is never lost: hinit ends promptly with
# 143 and leaves nothing behind, however early the signal lands.
. "$top_srcdir/tests/lib.sh"

for i in $(seq 50); do
	"$HINIT" -q -- sleep 100 2>/dev/null &
	pid=$!
	kill -TERM "$pid"
	start=$SECONDS
	wait "$pid"
	rc=$?
	# The app sleeps 100s: anything well short of that is no hang, even on a
	# loaded machine.
	[ $((SECONDS - start)) -lt 30 ] || fail "run $i: hinit hung after an early SIGTERM"
	expect_eq "run $i exit" 143 "$rc"
done
pgrep -f "^sleep 100$" -P $$ >/dev/null && fail "a sleep was left behind"
pass "50 early SIGTERMs, none lost"

# A signal that lands after the fork but before hinit watches it still
# reaches the app: the app records it.
for i in $(seq 10); do
	rm -f "$T/rec" "$T/rec.ready"
	"$HINIT" -q -- python3 "$top_srcdir/tests/fixtures/sigrecord.py" "$T/rec" &
	pid=$!
	sleep 0.0$i
	kill -USR1 "$pid"
	wait_for 10 sh -c "test -f $T/rec.ready || ! kill -0 $pid" ||
	    fail "app neither ready nor gone"
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"
	rc=$?
	# Either the app had its handler (records 10, exits 0) or the default
	# action killed it (138): the signal was delivered either way.
	if [ "$rc" = 0 ]; then
		grep -qx 10 "$T/rec" || fail "run $i: SIGUSR1 lost"
	else
		expect_eq "run $i: killed by SIGUSR1" 138 "$rc"
	fi
done
pass "early SIGUSR1 delivered"

# Once hinit has blocked signals (SigBlk in /proc), a SIGTERM during the rest
# of start-up is handled by hinit, not by the default action: hinit exits
# 143 by itself (WIFEXITED), after forwarding it to the app.
timeout 120 python3 - "$HINIT" <<'PY' || fail "early SIGTERM handled by the default action"
import os, signal, sys, time
hinit = sys.argv[1]
for i in range(30):
    pid = os.spawnv(os.P_NOWAIT, hinit, [hinit, "-q", "--", "sleep", "100"])
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            with open("/proc/%d/status" % pid) as f:
                blk = [l for l in f if l.startswith("SigBlk:")][0].split()[1]
        except (OSError, IndexError):
            blk = "0"
        if int(blk, 16) != 0:
            break
    else:
        sys.exit("run %d: hinit never blocked signals" % i)
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 143:
        sys.exit("run %d: wait status %#x" % (i, status))
PY
pass "SIGTERM during start-up handled by hinit"
