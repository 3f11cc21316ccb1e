#!/bin/bash
# Passwords that come from the environment (${PGPASS} in a URL, a command)
# appear nowhere: not in the status file, hinit status (text or --json),
# /health, /health/live, /metrics, nor hinit's own log, even verbose and
# even when the server refuses them. Targets show "***" instead.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"

pg_start
httpd_start
export REDISPASS=Rd7-redis-pw-3kq WEBPASS=Wb5-web-pw-9xz BADPASS=Bd2-bad-pw-4mn
REDIS_CLI_AUTH="-a $REDISPASS --no-auth-warning" redis_start --requirepass "$REDISPASS"
export PGPASS=secret		# lib.sh's PostgreSQL password
port=$(free_port)
cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
[check:db]
url = postgres://hinit:\${PGPASS}@127.0.0.1:$PG_PORT/postgres
query = SELECT 1
interval = 200ms
[check:refused]
url = postgresql://hinit:\${BADPASS}@127.0.0.1:$PG_PORT/postgres?sslmode=disable
query = SELECT 1
interval = 200ms
critical = no
retries = 1
[check:cache]
url = redis://:\${REDISPASS}@127.0.0.1:$REDIS_PORT/0
interval = 200ms
[check:web]
url = http://user:\${WEBPASS}@127.0.0.1:$HTTPD_PORT/ok
interval = 200ms
[check:cmd]
command = test -n "\${WEBPASS}"
interval = 200ms
INI

unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -v -c "$T/hinit.ini" --status-file "$T/s.json" -- sleep 1000 2>"$T/err" &
unshare_pid=$!
on_exit "kill -9 $unshare_pid"
wait_for 5 pgrep -P $unshare_pid || fail "hinit did not start"
hinit_pid=$(pgrep -P $unshare_pid)
on_exit "kill -9 $hinit_pid"
url=http://127.0.0.1:$port
# All critical checks healthy; the refused one unhealthy: "warn".
overall() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["status"])' "$T/s.json" 2>/dev/null
}
is_warn() { [ "$(overall)" = warn ]; }
wait_for 20 is_warn ||
    fail "not warn: $(cat "$T/s.json" "$T/err")"

{
	cat "$T/s.json"
	timeout 5 "$HINIT" status --status-file "$T/s.json"
	timeout 5 "$HINIT" status --json --status-file "$T/s.json"
	timeout 5 "$HINIT" status --status-file "$T/s.json" db refused cache web cmd
	curl -s "$url/health"
	curl -s "$url/health/live"
	curl -s "$url/health/ready"
	curl -s "$url/metrics"
} >"$T/all" 2>&1
kill -TERM "$hinit_pid"
timeout "$(slow 20)" tail --pid="$hinit_pid" -f /dev/null
cat "$T/err" "$T/s.json" >>"$T/all"

for secret in "$PGPASS" "$REDISPASS" "$WEBPASS" "$BADPASS"; do
	if grep -nF -- "$secret" "$T/all" >/dev/null; then
		fail "a password appears in the output"
	fi
done
grep -qF '"hinit:target": "postgres://hinit:***@127.0.0.1:' "$T/all" || fail "db target not masked"
grep -qF '"hinit:target": "redis://:***@127.0.0.1:' "$T/all" || fail "cache target not masked"
grep -qF '"hinit:target": "http://user:***@127.0.0.1:' "$T/all" || fail "web target not masked"
grep -qF '${WEBPASS}' "$T/all" || fail "the command is not shown as written"
grep -q 'password authentication failed' "$T/all" || fail "the refusal is not shown"
pass "no password from the environment in any output"
