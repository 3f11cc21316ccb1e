#!/bin/bash
# hinit check ends what its exec command left in its group and waits for
# the group to go. Where the container's PID 1 is the app, which never
# reaps (no tini, no hinit: the image hinit check is a HEALTHCHECK of),
# the leftover, once killed, stays a zombie, which kill(-group, 0) still
# finds: hinit check waited for its whole 2 s settle every time, past the
# 1 s a Kubernetes exec probe gets by default. A group of zombies is gone.
. "$top_srcdir/tests/lib.sh"

mark=$$$RANDOM	# sleep 999.MARK: a number, this test's own
cat >"$T/init.py" <<'PY'
# PID 1 that waits for its own child only, as an app does.
import os, subprocess, sys, time
hinit, mark, out = sys.argv[1], sys.argv[2], sys.argv[3]
def check(command):
    start = time.monotonic()
    p = subprocess.run([hinit, "check", "--timeout", "5s", "exec:" + command],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return p, time.monotonic() - start
# The same check with nothing left behind, beside it: what the machine
# takes for one (far more under load than quiet).
base = min(check("echo checked")[1], check("echo checked")[1])
p, took = check("sleep 999.%s & echo checked" % mark)
took -= base
left = []
for pid in os.listdir("/proc"):
    try:
        with open("/proc/%s/cmdline" % pid, "rb") as f:
            cmd = f.read()
        with open("/proc/%s/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        continue
    if cmd == b"sleep\0999.%s\0" % mark.encode() or state == "Z":
        left.append(state)
with open(out, "w") as f:
    f.write("%d\n%.3f\n%s\n%s" % (p.returncode, took, " ".join(left),
            p.stdout.decode(errors="replace")))
PY
unshare --pid --fork --kill-child --mount-proc "$PYTHON" "$T/init.py" \
    "$HINIT" "$mark" "$T/out" 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
wait_for 30 sh -c "! kill -0 $upid" || fail "hinit check hung"
wait $upid
expect_eq "init exit" 0 "$?"
{ read -r code; read -r took; read -r left; output=$(cat); } <"$T/out"
note "hinit check took ${took}s more than one with nothing left; left (states): ${left:-none}"
expect_eq "hinit check exit code" 0 "$code"
expect_match "hinit check output" "pass.*checked" "$output"
expect_no_match "leftover still running" "[RSDT]" "$left"
# The settle it waited for before is 2 s, whatever the load, on top of
# what a check with nothing left takes: judged against that, not a clock.
$PYTHON -c "import sys; sys.exit(not float(sys.argv[1]) < 1.0)" "$took" ||
	fail "hinit check waited ${took}s more for a group of zombies"
pass "hinit check returns at once when what its command left is a zombie"
