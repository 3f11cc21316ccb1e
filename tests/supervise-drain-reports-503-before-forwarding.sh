#!/bin/bash
# SIGTERM to hinit as PID 1 with drain: /health answers 503 ("stopping") at
# once while the app still serves; the app gets SIGTERM only after the drain;
# hinit exits with the app's code (-e 143: 0). A second SIGTERM during the
# drain forwards at once.
. "$top_srcdir/tests/lib.sh"

hport=$(free_port)
file=$T/status.json
config() {	# config DRAIN
	cat >"$T/hinit.ini" <<INI
[hinit]
drain = $1
grace = 5s
listen = 127.0.0.1:$hport
status_file = $file
INI
}
cat >"$T/app.py" <<'PY'
import signal, sys, time
def term(sig, frame):
    open(sys.argv[1], "w").write(repr(time.time()))
    sys.exit(143)
signal.signal(signal.SIGTERM, term)
open(sys.argv[1] + ".ready", "w").close()
while True:
    time.sleep(0.01)
PY

code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time "$(slow 5)" \
	    "http://127.0.0.1:$hport/health"
}
is_code() { [ "$(code)" = "$1" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }
start() {
	rm -f "$T/term" "$T/term.ready"
	unshare --pid --fork --kill-child --mount-proc \
	    "$HINIT" -e 143 -c "$T/hinit.ini" -- python3 "$T/app.py" "$T/term" 2>"$T/err" &
	upid=$!
	on_exit "kill -9 $upid"
	hpid=$(hinit_pid $upid) || fail "hinit did not start"
	wait_for 10 test -e "$T/term.ready" || fail "the app did not start"
	wait_for 10 is_code 200 || fail "never healthy"
}

config 4s
start
# Time from SIGTERM to the first 503, measured by one process, which then
# makes sure the app had no SIGTERM yet.
python3 - "$hpid" "$hport" "$T/t0" "$T/term" <<'PY' >"$T/measure" || fail "no 503 after SIGTERM: $(cat "$T/measure")"
import http.client, os, signal, sys, time
pid, port, term = int(sys.argv[1]), int(sys.argv[2]), sys.argv[4]
slow = int(os.environ["TEST_SLOW"])
t0 = time.time()
open(sys.argv[3], "w").write(repr(t0))
os.kill(pid, signal.SIGTERM)
while time.time() - t0 < 5 * slow:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2 * slow)
    c.request("GET", "/health")
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status == 503:
        print("%.1f" % ((time.time() - t0) * 1000), os.path.exists(term),
              body.decode())
        sys.exit(0)
sys.exit(1)
PY
read -r ms termed body <"$T/measure"
note "503 after ${ms}ms: $body"
# 503 at once, well before the drain's 4s are over: not after it.
python3 -c "import sys; sys.exit(not $ms < min(500 * $TEST_SLOW, 2500))" ||
    fail "503 came after ${ms}ms"
expect_match "body says stopping" '"status": "fail"' "$body"
expect_match "body says stopping" 'stopping' "$body"
expect_eq "the app got SIGTERM during the drain" False "$termed"
expect_eq "/health during the drain" 503 "$(code)"
timeout "$(slow 5)" "$HINIT" status --status-file "$file" >/dev/null
expect_eq "hinit status during the drain" 1 "$?"
pass "503 at once (${ms}ms), the app untouched during the drain"

wait_for 30 gone $upid || fail "hinit did not exit"
wait $upid
expect_eq "exit code (143 mapped by -e)" 0 "$?"
waited=$(python3 -c "print(float(open('$T/term').read()) - float(open('$T/t0').read()))")
python3 -c "import sys; sys.exit(not 3.95 <= $waited < 4 + 2 * $TEST_SLOW)" ||
    fail "the app got SIGTERM after ${waited}s, drain is 4s"
pass "the app got SIGTERM after the drain (${waited}s), exit 0 with -e 143"

# A second SIGTERM cuts the drain (a minute) short.
config 60s
start
kill -TERM $hpid
wait_for 5 is_code 503 || fail "no 503"
t1=$(date +%s.%N)
kill -TERM $hpid
wait_for 30 gone $upid || fail "hinit did not exit"
wait $upid
expect_eq "exit code" 0 "$?"
waited=$(python3 -c "print(float(open('$T/term').read()) - $t1)")
python3 -c "import sys; sys.exit(not $waited < 1.5 * $TEST_SLOW)" ||
    fail "the app got SIGTERM ${waited}s after the second SIGTERM"
pass "a second SIGTERM forwards at once (${waited}s)"
