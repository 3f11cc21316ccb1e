#!/bin/bash
# The /health endpoint speaks HTTP/1.0 and 1.1 as a load balancer expects:
# every path, HEAD, keep-alive, pipelining, IPv4 and IPv6, 404/405/400/
# 413/431/505 for what it does not serve, and clients that vanish in the
# middle of a big answer disturb nothing. The raw requests all go through
# one client process.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
{
	printf '[hinit]\nlisten = 127.0.0.1:%s, [::1]:%s\n' "$port" "$port"
	# Big answers: 20 checks, each with 4,000 bytes of output kept 5
	# times (one process an attempt: the shell's own printf).
	for i in $(seq 1 20); do
		printf '[check:c%s]\ncommand = printf %%04000d 0\ninterval = 500ms\n' "$i"
	done
	# Output that is not UTF-8 still makes valid JSON.
	printf '[check:binary]\ncommand = printf "\\377\\376 not utf-8 \\303"\n'
} >"$T/hinit.ini"
unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -c "$T/hinit.ini" --status-file "$T/s.json" -- sleep 1000 2>"$T/err" &
unshare_pid=$!
on_exit "kill -9 $unshare_pid"
wait_for 5 pgrep -P $unshare_pid || fail "hinit did not start"
hinit_pid=$(pgrep -P $unshare_pid)
on_exit "kill -9 $hinit_pid"
url=http://127.0.0.1:$port
wait_for 10 curl -sf -o /dev/null "$url/health" || fail "not healthy: $(cat "$T/err")"

# Every path, with the headers a client relies on.
for path in /health /health/ready /health/live; do
	curl -s -D "$T/h" -o "$T/body" "$url$path"
	expect_match "$path status" '^HTTP/1.1 200 OK' "$(head -1 "$T/h")"
	grep -qi '^Content-Type: application/health+json' "$T/h" || fail "$path type"
	grep -qi '^Cache-Control: no-store' "$T/h" || fail "$path cache"
	expect_eq "$path length" "$(stat -c %s "$T/body")" \
	    "$(sed -n 's/^Content-Length: \([0-9]*\).*/\1/ip' "$T/h")"
	python3 -c 'import json, sys; assert json.loads(open(sys.argv[1], "rb").read().decode("utf-8", "strict"))["status"] == "pass"' "$T/body" ||
	    fail "$path document"
done
curl -s -D "$T/h" -o "$T/body" "$url/metrics"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/h" || fail "metrics type"
for m in 'hinit_check_up{check="c1"} 1' 'hinit_check_passes_total{check="c20"}' \
    hinit_check_failures_total hinit_check_duration_seconds \
    hinit_app_restarts_total hinit_zombies_reaped_total 'hinit_up 1'; do
	grep -qF "$m" "$T/body" || fail "metrics lack $m"
done
expect_eq "IPv6" 200 "$(curl -s -o /dev/null -w '%{http_code}' -g "http://[::1]:$port/health")"
expect_eq "HEAD" "200 0" "$(curl -s -I -o /dev/null -w '%{http_code} %{size_download}' "$url/health")"
expect_eq "unknown path" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")"
curl -s -X POST -D "$T/h" -o /dev/null "$url/health"
expect_match "POST" '^HTTP/1.1 405' "$(head -1 "$T/h")"
grep -qi '^Allow: GET, HEAD' "$T/h" || fail "405 without Allow"
expect_eq "DELETE" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "$url/metrics")"

# Raw requests: raw REQUEST -> what came back until the endpoint closed
# ("<closed>" then) or, once it answered, was quiet for a while. REQUEST
# is written with \r\n escapes. One client process makes them all, told
# through a FIFO, answering through another.
cat >"$T/raw.py" <<'PY'
import os, socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
slow = int(os.environ["TEST_SLOW"])
for line in sys.stdin:
    req = line.rstrip("\n").encode().decode("unicode_escape").encode("latin-1")
    s = socket.create_connection(("127.0.0.1", port), timeout=10 * slow)
    s.sendall(req)
    data = b""
    try:
        while True:
            b = s.recv(65536)
            if not b:
                data += b"<closed>"
                break
            data += b
            s.settimeout(0.5 * slow)
    except socket.timeout:
        pass
    s.close()
    with open(out, "wb") as f:
        f.write(data)
    print("done", flush=True)
PY
mkfifo "$T/raw.req" "$T/raw.done"
python3 "$T/raw.py" "$port" "$T/raw.out" <"$T/raw.req" >"$T/raw.done" &
on_exit "kill $!"
exec 5>"$T/raw.req" 6<"$T/raw.done"
raw() {
	printf '%s\n' "$1" >&5
	read -r -t "$(slow 60)" _ <&6 || fail "the raw client did not answer"
	tr -d '\0' <"$T/raw.out"
}
first() { raw "$1" | head -1 | tr -d '\r'; }

expect_eq "garbage" "HTTP/1.1 400 Bad Request" "$(first 'hello\r\n\r\n')"
expect_eq "no version" "HTTP/1.1 400 Bad Request" "$(first 'GET /health\r\n\r\n')"
expect_eq "HTTP/2.0" "HTTP/1.1 505 HTTP Version Not Supported" "$(first 'GET /health HTTP/2.0\r\n\r\n')"
expect_eq "a body" "HTTP/1.1 413 Content Too Large" \
    "$(first 'GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody')"
big=$(head -c 9000 /dev/zero | tr '\0' a)
expect_eq "header > 8 KiB" "HTTP/1.1 431 Request Header Fields Too Large" \
    "$(first "GET /health HTTP/1.1\\r\\nHost: x\\r\\nX-Big: $big\\r\\n\\r\\n")"
expect_match "400 closes" '<closed>$' "$(raw 'hello\r\n\r\n')"

# HTTP/1.0 closes unless asked; 1.1 keeps the connection.
expect_match "1.0 closes" '<closed>$' "$(raw 'GET /health HTTP/1.0\r\n\r\n')"
out=$(raw 'GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n')
expect_no_match "1.0 keep-alive stays open" '<closed>' "$out"
expect_match "1.0 keep-alive says so" 'Connection: keep-alive' "$out"
expect_no_match "1.1 stays open" '<closed>' "$(raw 'HEAD /health HTTP/1.1\r\nHost: x\r\n\r\n')"
expect_match "1.1 close" '<closed>$' "$(raw 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')"

# Pipelining: three requests in one packet, three answers in order.
out=$(raw 'HEAD /health HTTP/1.1\r\nHost: x\r\n\r\nGET /nope HTTP/1.1\r\nHost: x\r\n\r\nHEAD /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
expect_eq "pipelined answers" "200 404 200" \
    "$(grep -o '^HTTP/1.1 [0-9]*' <<<"$out" | cut -d' ' -f2 | tr '\n' ' ' | sed 's/ $//')"
expect_match "pipelined, then closed" '<closed>$' "$out"

# Clients that go away in the middle of a big answer, or half-close.
big() { [ "$(curl -s "$url/health" | wc -c)" -gt 200000 ]; }
wait_for 20 big || fail "the answer is too small to be cut: $(curl -s "$url/health" | wc -c)"
timeout "$(slow 60)" python3 - "$port" <<'PY' || fail "disconnecting clients"
import socket, struct, sys
port = int(sys.argv[1])
for i in range(100):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n" * 3)
    s.recv(1000)
    if i % 2:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()				# reset or FIN mid-answer
for i in range(20):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
    s.shutdown(socket.SHUT_WR)		# half-closed: still answered
    data = b""
    while True:
        b = s.recv(65536)
        if not b:
            break
        data += b
    assert data.startswith(b"HTTP/1.1 200 "), data[:100]
    s.close()
PY
kill -0 "$hinit_pid" || fail "hinit died"
expect_eq "still serving" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$url/health")"
timeout 5 "$HINIT" status --status-file "$T/s.json" >/dev/null || fail "hinit status"
grep -i 'broken pipe\|SIGPIPE' "$T/err" && fail "hinit complained"
pass "HTTP/1.0 and 1.1, every path, every error, vanishing clients"
