#!/bin/bash
# HTTP/1.1 without Host (or with two) gets 400 (RFC 9112 3.2). Responses
# on a kept-alive connection carry "Keep-Alive: timeout=4", under the 5s
# after which hinit closes an idle connection, so Node's http.Agent drops
# the socket itself: a request 4.98s after the last, which reused it just
# as hinit closed it and failed with ECONNRESET, now succeeds.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
printf '[hinit]\nlisten = 127.0.0.1:%s\n' "$port" >"$T/hinit.ini"
pid1 -c "$T/hinit.ini" --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
url=http://127.0.0.1:$port
wait_for 10 curl -sf -o /dev/null "$url/health" || fail "no endpoint: $(cat "$T/err")"

raw() {
	/usr/bin/python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(2)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
out = b""
try:
    while b"\r\n\r\n" not in out:
        b = s.recv(4096)
        if not b:
            break
        out += b
except OSError:
    pass
sys.stdout.write(out.decode(errors="replace").split("\r\n\r\n")[0])
' "$port" "$1"
}
expect_match "no Host" '^HTTP/1.1 400 ' "$(raw 'GET /health HTTP/1.1\r\n\r\n')"
expect_match "two Host" '^HTTP/1.1 400 ' \
    "$(raw 'GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')"
expect_match "1.0 without Host" '^HTTP/1.1 200 ' "$(raw 'GET /health HTTP/1.0\r\n\r\n')"
head=$(raw 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
expect_match "Host" '^HTTP/1.1 200 ' "$head"
expect_match "the hint" $'\r\nKeep-Alive: timeout=4(\r|$)' "$head"
head=$(raw 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
expect_no_match "no hint when closing" 'Keep-Alive' "$head"
pass "Host required in HTTP/1.1; Keep-Alive: timeout=4"

# Node's default agent (keepAlive, 5s socket timeout), a request 4.98s
# after the last, three times: on a new socket each time.
timeout 60 node - "$url/health" <<'JS' || fail "Node http.Agent: $(cat "$T/err")"
const http = require('http');
const url = process.argv[2];
function get() {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve([res.statusCode, req.reusedSocket]));
    });
    req.on('error', reject);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  for (let i = 0; i < 3; i++) {
    await get();
    await sleep(4980);
    const [code, reused] = await get();
    console.log(`# after 4.98s: ${code}, reused socket: ${reused}`);
    if (code !== 200) throw new Error(`status ${code}`);
    // Reused, it races hinit's close: ECONNRESET when hinit wins.
    if (reused) throw new Error('reused a socket idle for 4.98s');
  }
})().catch((e) => { console.error(`FAIL: ${e.code || e.message}`); process.exit(1); });
JS
pass "Node's http.Agent reuses no socket hinit is closing"
