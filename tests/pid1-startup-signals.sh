#!/bin/bash
# A SIGTERM sent while hinit starts is never lost: hinit ends promptly with
# 143 and leaves nothing behind, however early the signal lands.
. "$top_srcdir/tests/lib.sh"

# hinit is started by python, not bash: bash catches terminating signals
# between its fork and its exec (it has an EXIT trap here) and may swallow
# one meant for hinit.
# The app's argument marks it as this test's: other tests run sleeps too.
app=(sleep "1000.$$")
timeout "$(slow 600)" python3 - "$HINIT" "${app[@]}" <<'PY' || fail "an early SIGTERM"
import os, signal, sys, time
hinit, app = sys.argv[1], sys.argv[2:]
slow = int(os.environ["TEST_SLOW"])
devnull = os.open(os.devnull, os.O_WRONLY)
for i in range(50):
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 2)
        os.execv(hinit, [hinit, "-q", "--"] + app)
    os.kill(pid, signal.SIGTERM)
    # The app sleeps 1000s: anything well short of that is no hang, even on
    # a loaded machine.
    deadline = time.time() + 30 * slow
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            sys.exit("run %d: hinit hung after an early SIGTERM" % i)
        time.sleep(0.01)
    # Killed before hinit blocked signals, or ended by hinit with 128+15.
    if not ((os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM)
            or (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 143)):
        sys.exit("run %d: wait status %#x" % (i, status))
PY
# A sleep being killed may linger a moment; one left behind stays.
wait_for 5 ! pgrep -f "^${app[*]}\$" || fail "a sleep was left behind"
pass "50 early SIGTERMs, none lost"

# A signal that lands after the fork but before hinit watches it still
# reaches the app: the app records it.
timeout "$(slow 300)" python3 - "$HINIT" "$top_srcdir/tests/fixtures/sigrecord.py" "$T/rec" <<'PY' ||
import os, signal, sys, time
hinit, app, rec = sys.argv[1:4]
slow = int(os.environ["TEST_SLOW"])
def recorded():
    try:
        return open(rec).read().split()
    except FileNotFoundError:
        return []
for i in range(1, 11):
    for f in (rec, rec + ".ready"):
        if os.path.exists(f):
            os.unlink(f)
    pid = os.spawnv(os.P_NOWAIT, hinit, [hinit, "-q", "--", "python3", app, rec])
    time.sleep(i / 100)
    os.kill(pid, signal.SIGUSR1)
    deadline = time.time() + 10 * slow
    done = 0
    while not done and not os.path.exists(rec + ".ready"):
        if time.time() > deadline:
            sys.exit("run %d: app neither ready nor gone" % i)
        time.sleep(0.01)
        done, status = os.waitpid(pid, os.WNOHANG)
    # The app takes signals now: the SIGUSR1 may still be on its way. The
    # SIGTERM that ends the run goes once it is recorded (or never came):
    # sent together, hinit could forward them in either order.
    while not done and time.time() < deadline and \
            "10" not in recorded():
        time.sleep(0.01)
        done, status = os.waitpid(pid, os.WNOHANG)
    if not done:
        os.kill(pid, signal.SIGTERM)
        _, status = os.waitpid(pid, 0)
    # Either the app had its handler (records 10, exits 0) or the default
    # action killed it (hinit exits 138) or hinit before it blocked
    # signals: the signal was delivered either way.
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0:
        if "10" not in recorded():
            sys.exit("run %d: SIGUSR1 lost: %r" % (i, recorded()))
    elif not ((os.WIFEXITED(status) and os.WEXITSTATUS(status) == 138) or
              (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGUSR1)):
        sys.exit("run %d: wait status %#x" % (i, status))
PY
    fail "early SIGUSR1"
pass "early SIGUSR1 delivered"

# Once hinit has blocked signals (SigBlk in /proc), a SIGTERM during the rest
# of start-up is handled by hinit, not by the default action: hinit exits
# 143 by itself (WIFEXITED), after forwarding it to the app. The window is a
# few ms: a run that sees the watchers in place (SigCgt) before it saw the
# block sends the signal then, and at least one run must catch the window.
timeout "$(slow 120)" python3 - "$HINIT" <<'PY' || fail "early SIGTERM handled by the default action"
import os, signal, sys, time
hinit = sys.argv[1]
slow = int(os.environ["TEST_SLOW"])
caught = 0
# Only SIGTERM's bit: the C library and sanitizers catch others from the start.
term = 1 << (signal.SIGTERM - 1)
for i in range(60):
    pid = os.spawnv(os.P_NOWAIT, hinit, [hinit, "-q", "--", "sleep", "1000"])
    deadline = time.time() + 10 * slow
    while time.time() < deadline:
        blk = cgt = 0
        try:
            with open("/proc/%d/status" % pid) as f:
                for l in f:
                    # Before the exec, the child is still python.
                    if l.startswith("Name:") and l.split()[1] != "hinit":
                        break
                    if l.startswith("SigBlk:"):
                        blk = int(l.split()[1], 16) & term
                    elif l.startswith("SigCgt:"):
                        cgt = int(l.split()[1], 16) & term
        except OSError:
            pass
        if blk or cgt:
            break
    else:
        sys.exit("run %d: hinit neither blocked nor caught signals" % i)
    if blk:
        caught += 1
    os.kill(pid, signal.SIGTERM)
    _, status = os.waitpid(pid, 0)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 143:
        sys.exit("run %d: wait status %#x" % (i, status))
    if caught >= 10:
        break
if caught == 0:
    sys.exit("no run saw signals blocked during start-up")
print("runs inside the start-up window: %d" % caught)
PY
pass "SIGTERM during start-up handled by hinit"

# hinit reads its signals from a signalfd, as tini takes them with
# sigtimedwait: they stay blocked and no handler of hinit's is installed,
# so none can run in a child before its exec.
"$HINIT" -q -- sleep 1000 2>/dev/null &
pid=$!
wait_for 5 sh -c "pgrep -P $pid sleep" || fail "the app did not start"
blk=$(awk '/^SigBlk:/ { print $2 }' "/proc/$pid/status")
cgt=$(awk '/^SigCgt:/ { print $2 }' "/proc/$pid/status")
python3 - "$blk" "$cgt" <<'PY' || fail "SigBlk $blk, SigCgt $cgt"
import signal, sys
blk, cgt = int(sys.argv[1], 16), int(sys.argv[2], 16)
bit = lambda s: 1 << (s - 1)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGCHLD,
          signal.SIGUSR1):
    assert blk & bit(s), "%s not blocked" % s.name
    assert not cgt & bit(s), "%s caught by a handler" % s.name
PY
kill -TERM "$pid"
wait "$pid"
expect_eq "exit after SIGTERM" 143 "$?"
pass "signals read from a signalfd: blocked, no handlers"
