#!/bin/bash
# A server that echoes a secret may cut it short, and the cut echo is as
# much a leak as the whole: Redis 7 with AUTH renamed away quotes at most
# 128 bytes of the arguments ("ERR unknown command 'AUTH', with args
# beginning with: 'default' '<password, cut>'"), PostgreSQL a user name cut
# to 63 bytes ("password authentication failed for user "<name, cut>"").
# Only the whole secret was hidden, so most of a 128-byte ElastiCache-style
# token, or of a user name from a variable, showed in the status file,
# /health, the log and hinit check. From its first 8 bytes on, an echo is
# hidden as far as it goes; another target on the same host as a secret
# URL stays readable.
. "$top_srcdir/tests/lib.sh"

pg_start
redis_start --rename-command AUTH ''
# 128 bytes, as managed Redis tokens go; Redis shows the first 118.
export RPW=Rd-$(printf 'k%.0s' {1..120})-SeCrEt
export PGU=pgu-$(printf 'u%.0s' {1..70})-SeCrEt
export HEALTH_URL="http://127.0.0.1:1/health?token=Tk-SeCrEt"
port=$(free_port)
cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
[check:cache]
url = redis://default:\${RPW}@127.0.0.1:$REDIS_PORT/0
interval = 200ms
retries = 1
[check:db]
url = postgres://\${PGU}:secret@127.0.0.1:$PG_PORT/postgres
query = SELECT 1
interval = 200ms
retries = 1
[check:web]
url = \${HEALTH_URL}
interval = 200ms
retries = 1
[check:other]
url = http://127.0.0.1:1/live
interval = 200ms
retries = 1
INI

unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
both() {
	grep -q 'with args beginning with' "$T/s.json" 2>/dev/null &&
	    grep -q 'password authentication failed' "$T/s.json"
}
wait_for 20 both || fail "no echo yet: $(cat "$T/s.json" "$T/err")"
{
	cat "$T/s.json" "$T/err"
	timeout 5 "$HINIT" status --status-file "$T/s.json"
	curl -s "http://127.0.0.1:$port/health"
	timeout 10 "$HINIT" check "redis://default:\${RPW}@127.0.0.1:$REDIS_PORT" \
	    "postgres://\${PGU}:x@127.0.0.1:$PG_PORT/postgres"
	timeout 10 "$HINIT" check --json \
	    "redis://default:\${RPW}@127.0.0.1:$REDIS_PORT"
} >"$T/out" 2>&1

grep -qF "with args beginning with: 'default' '***'" "$T/out" ||
    fail "Redis's echo: $(grep -o "beginning with: .\{0,40\}" "$T/out" | head -1)"
grep -qF 'failed for user \"***\"' "$T/out" ||
    fail "PostgreSQL's echo: $(grep -o 'failed for user .\{0,40\}' "$T/out" | head -1)"
grep -q 'kkkkkkkk\|uuuuuuuu\|SeCrEt' "$T/out" &&
    fail "a piece of a secret is shown: $(grep -o '.\{30\}\(kkkkkkkk\|uuuuuuuu\|SeCrEt\).\{10\}' "$T/out" | head -3)"
# Not everything that starts like a secret URL is secret.
grep -qF '"hinit:target": "http://127.0.0.1:1/live"' "$T/out" ||
    fail "another target on the secret URL's host is garbled: $(grep -o '"hinit:target": "[^"]*"' "$T/out")"
pass "echoes cut short by Redis and PostgreSQL are hidden"
