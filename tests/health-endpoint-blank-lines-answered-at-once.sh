#!/bin/bash
# A client that sends 8 KiB of blank lines ("\r\n" x 4200), more than a
# request head may hold, gets 400 at once and is closed, without hinit
# spinning on a full buffer until the 5s timeout (it asked for more while
# it could read no more); /health answers all along.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
printf '[hinit]\nlisten = 127.0.0.1:%s\n' "$port" >"$T/hinit.ini"
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
upid=$!
on_exit "kill -9 $upid"
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$port/health" ||
    fail "no endpoint: $(cat "$T/err")"
hpid=$(pgrep -P "$upid")
expect_eq "hinit's name" hinit "$(cat /proc/$hpid/comm)"

timeout 30 /usr/bin/python3 - "$port" "$hpid" <<'PY' || fail "blank lines"
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
tick = os.sysconf("SC_CLK_TCK")

def cpu():
    f = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick

before = cpu()
s = socket.create_connection(("127.0.0.1", port))
s.sendall(b"\r\n" * 4200)
s.settimeout(10)
out = b""
while True:
    try:
        b = s.recv(4096)
    except ConnectionResetError:
        break
    if not b:
        break
    out += b
used = cpu() - before
print("# answer %r, hinit used %.2fs of CPU" % (out[:30], used))
# 408 would be the timeout: the answer must come before it.
assert out.startswith(b"HTTP/1.1 400 "), out[:100]
assert used < 1.0, used
PY
expect_eq "/health after" 200 "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")"
pass "blank lines past the head limit: 400 at once"
