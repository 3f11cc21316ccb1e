#!/bin/bash
# SIGTERM to hinit as PID 1 with drain: /health answers 503 ("stopping") at
# once while the app still serves; the app gets SIGTERM only after the drain;
# hinit exits with the app's code (-e 143: 0). A second SIGTERM during the
# drain forwards at once.
. "$top_srcdir/tests/lib.sh"

hport=$(free_port)
file=$T/status.json
cat >"$T/hinit.ini" <<INI
[hinit]
drain = 1500ms
grace = 5s
listen = 127.0.0.1:$hport
status_file = $file
INI
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

hinit_pid() {	# hinit_pid UNSHARE_PID: the hinit inside the namespace
	local p
	for _ in $(seq 100); do
		p=$(pgrep -P "$1" -x hinit) && { echo "$p"; return 0; }
		sleep 0.05
	done
	return 1
}
code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$hport/health"
}
gone() { ! kill -0 "$1" 2>/dev/null; }
start() {
	rm -f "$T/term" "$T/term.ready"
	unshare --pid --fork --kill-child --mount-proc \
	    "$HINIT" -e 143 -c "$T/hinit.ini" -- python3 "$T/app.py" "$T/term" 2>"$T/err" &
	upid=$!
	on_exit "kill -9 $upid"
	hpid=$(hinit_pid $upid) || fail "hinit did not start"
	wait_for 10 test -e "$T/term.ready" || fail "the app did not start"
	wait_for 10 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:$hport/health)\" = 200 ]" ||
	    fail "never healthy"
}

start
# Time from SIGTERM to the first 503, measured by one process.
python3 - "$hpid" "$hport" "$T/t0" <<'PY' >"$T/measure" || fail "no 503 after SIGTERM: $(cat "$T/measure")"
import http.client, os, signal, sys, time
pid, port = int(sys.argv[1]), int(sys.argv[2])
t0 = time.time()
open(sys.argv[3], "w").write(repr(t0))
os.kill(pid, signal.SIGTERM)
while time.time() - t0 < 5:
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    c.request("GET", "/health")
    r = c.getresponse()
    body = r.read()
    c.close()
    if r.status == 503:
        print("%.1f" % ((time.time() - t0) * 1000), body.decode())
        sys.exit(0)
sys.exit(1)
PY
read -r ms body <"$T/measure"
note "503 after ${ms}ms: $body"
python3 -c "import sys; sys.exit(not $ms < 500)" || fail "503 came after ${ms}ms"
expect_match "body says stopping" '"status": "fail"' "$body"
expect_match "body says stopping" 'stopping' "$body"
[ -e "$T/term" ] && fail "the app got SIGTERM during the drain"
expect_eq "/health during the drain" 503 "$(code)"
timeout 5 "$HINIT" status --status-file "$file" >/dev/null
expect_eq "hinit status during the drain" 1 "$?"
pass "503 at once (${ms}ms), the app untouched during the drain"

wait_for 20 gone $upid || fail "hinit did not exit"
wait $upid
expect_eq "exit code (143 mapped by -e)" 0 "$?"
waited=$(python3 -c "print(float(open('$T/term').read()) - float(open('$T/t0').read()))")
python3 -c "import sys; sys.exit(not 1.45 <= $waited < 4)" ||
    fail "the app got SIGTERM after ${waited}s, drain is 1.5s"
pass "the app got SIGTERM after the drain (${waited}s), exit 0 with -e 143"

# A second SIGTERM cuts the drain short.
start
t0=$(date +%s.%N)
kill -TERM $hpid
wait_for 5 sh -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://127.0.0.1:$hport/health)\" = 503 ]" ||
    fail "no 503"
kill -TERM $hpid
wait_for 20 gone $upid || fail "hinit did not exit"
wait $upid
expect_eq "exit code" 0 "$?"
waited=$(python3 -c "print(float(open('$T/term').read()) - $t0)")
python3 -c "import sys; sys.exit(not $waited < 1.4)" ||
    fail "the app got SIGTERM after ${waited}s: the second SIGTERM did not cut the drain"
pass "a second SIGTERM forwards at once (${waited}s)"
