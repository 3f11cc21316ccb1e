#!/bin/bash
# A secret from the environment that a server or a command echoes back is
# shown as *** in every output: Redis 7 with AUTH renamed away answers
# "ERR unknown command 'AUTH', with args beginning with: '<password>'",
# PostgreSQL quotes a bad value of a query, an http check says which body
# it expected, a command and a task print what they were given. The
# status file, hinit status, /health, /metrics, the log (text and JSON),
# hinit check, hinit wait and hinit -t all show the echo, scrubbed. Values
# shorter than 4 bytes are not secrets (an output stays readable), and two
# secrets that overlap in a text are hidden whole.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"

pg_start
httpd_start
redis_start --rename-command AUTH ''
export RPW=Rd7-echoed-SeCrEt BODYX=Bd4-body-SeCrEt QV=Qv5-query-SeCrEt
export TOKEN=Tk6-task-SeCrEt OVA=Ov-abcdef-SeCrEt OVB=abcdef-SeCrEt-Zz
export ONE=0 EMPTY=
port=$(free_port)
cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
[check:cache]
url = redis://:\${RPW}@127.0.0.1:$REDIS_PORT/0
interval = 200ms
retries = 1
[check:web]
url = http://127.0.0.1:$HTTPD_PORT/ok?n=\${ONE}\${EMPTY}
header = X-Overlap: \${OVB}
expect_body = \${BODYX}
interval = 200ms
retries = 1
[check:db]
url = postgres://hinit:secret@127.0.0.1:$PG_PORT/postgres
query = SELECT '\${QV}'::int
interval = 200ms
retries = 1
[check:cmd]
command = echo "token \${TOKEN} overlap \${OVA}-Zz"; exit 1
interval = 200ms
retries = 1
[check:fine]
url = http://127.0.0.1:$HTTPD_PORT/status/200?n=\${ONE}
interval = 200ms
[task:echo]
command = echo "task sees \${TOKEN} and \${RPW}"
INI

# run NAME [HINIT OPTIONS]: hinit as PID 1 until every check has its
# state; everything it shows goes to $T/NAME.
run() {
	local name=$1 unshare_pid hinit_pid
	shift
	unshare --pid --fork --kill-child --mount-proc "$HINIT" -v "$@" \
	    -c "$T/hinit.ini" --status-file "$T/$name.json" -- sleep 60 \
	    2>"$T/$name.err" &
	unshare_pid=$!
	on_exit "kill -9 $unshare_pid"
	wait_for 10 pgrep -P $unshare_pid || fail "hinit did not start"
	hinit_pid=$(pgrep -P $unshare_pid)
	states() {
		/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["checks"]
s = {k.split(":")[0]: v[0]["hinit:state"] for k, v in d.items()}
sys.exit(0 if s == {"cache": "unhealthy", "web": "unhealthy",
    "db": "unhealthy", "cmd": "unhealthy", "fine": "healthy"} else 1)
' "$T/$name.json"
	}
	wait_for 20 states || fail "$name: states: $(cat "$T/$name.json" "$T/$name.err")"
	{
		cat "$T/$name.json"
		timeout 5 "$HINIT" status --status-file "$T/$name.json"
		timeout 5 "$HINIT" status --json --status-file "$T/$name.json"
		timeout 5 "$HINIT" status --status-file "$T/$name.json" cache web db cmd
		curl -s "http://127.0.0.1:$port/health"
		curl -s "http://127.0.0.1:$port/health/live"
		curl -s "http://127.0.0.1:$port/metrics"
	} >"$T/$name" 2>&1
	kill -TERM "$hinit_pid"
	timeout 20 tail --pid="$hinit_pid" -f /dev/null
	cat "$T/$name.err" >>"$T/$name"
}
run text
run json --log-format json

# The echoes are there, scrubbed: without a scrubber each shows a secret.
grep -qF "with args beginning with: '***'" "$T/text" ||
    fail "no scrubbed Redis echo: $(grep -o "beginning with: '[^']*'" "$T/text" | head -1)"
grep -qF 'body does not contain \"***\"' "$T/text" ||
    fail "no scrubbed expect_body"
grep -qF 'invalid input syntax for type integer: \"***\"' "$T/text" ||
    fail "no scrubbed PostgreSQL echo"
grep -qF 'token *** overlap ***' "$T/text" || fail "no scrubbed command output"
grep -qF 'echo: task sees *** and ***' "$T/text" || fail "no scrubbed task line"
grep -qF '"task":"echo","msg":"task sees *** and ***"' "$T/json" ||
    fail "no scrubbed task line in the JSON log"
# A one-byte value is no secret: "HTTP 200" stays readable.
grep -qF 'check fine: healthy (HTTP 200)' "$T/text" ||
    fail "short values garble outputs: $(grep 'check fine' "$T/text")"

# The one-shot commands.
{
	timeout 10 "$HINIT" check "redis://:\${RPW}@127.0.0.1:$REDIS_PORT/0" \
	    'exec:echo "token ${TOKEN}"; exit 1'
	timeout 10 "$HINIT" check --json "redis://:\${RPW}@127.0.0.1:$REDIS_PORT/0"
	timeout 10 "$HINIT" wait --timeout 1s \
	    "redis://:\${RPW}@127.0.0.1:$REDIS_PORT/0" 'exec:echo ${TOKEN}; exit 1'
	timeout 10 "$HINIT" -t -c "$T/hinit.ini"
} >"$T/oneshot" 2>&1
grep -qF "with args beginning with: '***'" "$T/oneshot" ||
    fail "hinit check: no scrubbed echo: $(cat "$T/oneshot")"
grep -qF 'exit 1: token ***' "$T/oneshot" ||
    fail "hinit check exec: no scrubbed output: $(cat "$T/oneshot")"

for f in text json oneshot; do
	if grep -n 'SeCrEt' "$T/$f"; then
		fail "$f: a secret, or a piece of one, is shown"
	fi
done
pass "secrets echoed by Redis, PostgreSQL, http and commands are scrubbed"
