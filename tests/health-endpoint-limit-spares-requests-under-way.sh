#!/bin/bash
# At max_connections, a new connection takes the place of the idlest idle
# one (kept alive between requests), never of one in the middle of a
# request; when every connection is busy with a request, the new one is
# refused, and the requests under way are all answered.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
printf '[hinit]\nlisten = 127.0.0.1:%s\nmax_connections = 3\n' "$port" \
    >"$T/hinit.ini"
pid1 -c "$T/hinit.ini" --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$port/health" ||
    fail "no endpoint: $(cat "$T/err")"

timeout 30 /usr/bin/python3 - "$port" <<'PY' || fail "at the limit"
import socket, sys, time
port = int(sys.argv[1])
line, rest = b"GET /health HTTP/1.1\r\n", b"Host: x\r\n\r\n"

def conn():
    s = socket.create_connection(("127.0.0.1", port))
    s.settimeout(3)
    return s

def answer(s):
    out = b""
    while b"\r\n\r\n" not in out:
        b = s.recv(65536)
        if not b:
            break
        out += b
    return out

def closed(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False

# a: in the middle of a request; b: answered, kept alive; c: mid-request.
a = conn(); a.sendall(line); time.sleep(0.2)
b = conn(); b.sendall(line + rest)
assert answer(b).startswith(b"HTTP/1.1 200 "), "b"
time.sleep(0.2)
c = conn(); c.sendall(line); time.sleep(0.2)
# d: the idle one (b) makes room, not a.
d = conn(); time.sleep(0.3)
assert closed(b), "the idle connection was kept"
d.sendall(line); time.sleep(0.2)
# Every connection busy with a request: e is refused.
e = conn(); time.sleep(0.3)
assert closed(e), "a new connection took the place of a request under way"
for name, s in (("a", a), ("c", c), ("d", d)):
    s.sendall(rest)
    out = answer(s)
    assert out.startswith(b"HTTP/1.1 200 "), (name, out[:40])
print("# a, c and d answered; b made room; e refused")
PY
pass "at the limit: idle connections make room, requests under way are answered"
