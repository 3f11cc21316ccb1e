#!/bin/bash
# 5,000 orphans handed to PID 1 are all reaped: no zombie is left while the
# app still runs.
. "$top_srcdir/tests/lib.sh"

cat > "$T/orphans.py" <<'PY'
import os, sys, time
for i in range(5000):
    pid = os.fork()
    if pid == 0:
        if os.fork() == 0:
            os._exit(0)		# the orphan: its parent is gone at once
        os._exit(0)
    os.waitpid(pid, 0)
def zombies():
    n = 0
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        n += 1
            except OSError:
                pass
    return n
deadline = time.time() + 20
while zombies() and time.time() < deadline:
    time.sleep(0.05)
z = zombies()
print("zombies left:", z)
sys.exit(0 if z == 0 else 1)
PY
out=$(timeout 60 unshare --pid --fork --kill-child --mount-proc "$HINIT" -q -- python3 "$T/orphans.py")
rc=$?
expect_eq "zombies left" "zombies left: 0" "$out"
expect_eq "exit" 0 "$rc"
pass "5,000 orphans reaped"
