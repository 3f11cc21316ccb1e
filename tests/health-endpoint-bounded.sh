#!/bin/bash
# The endpoint is bounded: 1,000 idle connections are held at little
# memory while other clients still get answers and hinit keeps reaping
# orphans; 2,000 never take hinit's descriptors past max_connections; a
# client that sends its request head too slowly gets 408 after 5s.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
max_connections = 1100
[check:ok]
command = true
interval = 200ms
INI
# The app leaves an orphan behind every 100ms.
cat >"$T/app.sh" <<'SH'
while :; do
	(sleep 0.05 &)
	sleep 0.1
done
SH
ulimit -n 4096
unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -c "$T/hinit.ini" --status-file "$T/s.json" -- sh "$T/app.sh" 2>"$T/err" &
unshare_pid=$!
on_exit "kill -9 $unshare_pid"
wait_for 5 pgrep -P $unshare_pid || fail "hinit did not start"
hinit_pid=$(pgrep -P $unshare_pid)
url=http://127.0.0.1:$port
wait_for 10 curl -sf -o /dev/null "$url/health" || fail "not healthy: $(cat "$T/err")"
reaped() {
	curl -s --max-time 5 "$url/metrics" | sed -n 's/^hinit_zombies_reaped_total //p'
}

timeout "$(slow 90)" python3 - "$port" "$hinit_pid" "$url" <<'PY' || fail "under 1,000 idle connections"
import os, resource, socket, subprocess, sys, time
port, pid, url = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
slow = int(os.environ["TEST_SLOW"])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))

def reaped():
    out = subprocess.run(["curl", "-s", "--max-time", str(5 * slow), url + "/metrics"],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("hinit_zombies_reaped_total "):
            return int(line.split()[1])
    return -1

def rss():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def fds():
    return len(os.listdir("/proc/%d/fd" % pid))

def until(what, cond, limit):
    t = time.time()
    while not cond():
        assert time.time() - t < limit * slow, what
        time.sleep(0.05)

before, rss0 = reaped(), rss()
idle = []
for i in range(1000):
    idle.append(socket.create_connection(("127.0.0.1", port)))
until(("accepted", fds()), lambda: fds() >= 1000, 10)
n, grew = fds(), rss() - rss0
print("# 1,000 idle clients: %d descriptors, %d KiB more memory" % (n, grew))
assert n >= 1000, ("held", n)
assert grew < 2048, ("memory", grew)
for i in range(20):
    t = time.time()
    r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                        "--max-time", str(5 * slow), url + "/health"],
                       capture_output=True, text=True)
    assert r.stdout == "200", ("answer under load", r.stdout)
until(("no orphan reaped", before), lambda: reaped() > before, 10)
print("# orphans reaped before/after:", before, reaped())
# One orphan every 100ms, each a zombie until reaped: a few at a time.
zombies = subprocess.run(["ps", "--ppid", str(pid), "-o", "stat="],
                         capture_output=True, text=True).stdout.split()
assert zombies.count("Z") <= 2 * slow, zombies
for i in range(1000):
    idle.append(socket.create_connection(("127.0.0.1", port)))
# hinit takes connections up to its limit, and never more.
until(("at the limit", fds()), lambda: fds() >= 1100, 10)
n = 0
for i in range(10):
    n = max(n, fds())
    time.sleep(0.05)
print("# 2,000 clients, max_connections 1100: %d descriptors" % n)
assert n <= 1100 + 32, n
r = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                    "--max-time", str(5 * slow), url + "/health"], capture_output=True,
                   text=True)
assert r.stdout == "200", ("answer at the limit", r.stdout)
for s in idle:
    s.close()
PY

# Slowloris: a byte a second never makes a head: 408 within 5s (+ slack).
timeout "$(slow 30)" python3 - "$port" <<'PY' || fail "slow client"
import os, socket, sys, time
slow = int(os.environ["TEST_SLOW"])
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(0.2)
start, out = time.time(), b""
for ch in b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100:
    try:
        s.send(bytes([ch]))
        out += s.recv(4096)
        if out:
            break
    except socket.timeout:
        pass
    except (BrokenPipeError, ConnectionResetError):
        break
    time.sleep(0.8)
took = time.time() - start
print("# slow client answered after %.1fs: %r" % (took, out[:40]))
assert out.startswith(b"HTTP/1.1 408 "), out[:100]
assert 4 < took < 5 + 7 * slow, took
PY
kill -0 "$hinit_pid" || fail "hinit died"
expect_eq "still serving" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url/health")"
pass "bounded connections and time, answers and reaping go on"
