#!/bin/bash
# A password holding a raw '@' ("postgres://app:pw-LEFT@pw-RIGHT@host")
# is read differently by libpq and libcurl (user info ends at the first
# '@', the rest is taken for the host) than by a reader that splits at the
# last one: masked at one '@' and connected at the other, the error
# showed half the password. hinit refuses it as a config error that shows
# no part of it, in the file, with --check and in hinit check; written
# %40, the same password logs in to real PostgreSQL and Redis servers.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"

pg_start
httpd_start
pw='pw-LEFT@pw-RIGHT'
REDIS_CLI_AUTH="-a $pw --no-auth-warning" redis_start --requirepass "$pw"
PGPASSWORD=secret psql -q -h 127.0.0.1 -p "$PG_PORT" -U hinit -d postgres \
    -c "CREATE ROLE app LOGIN PASSWORD '$pw'" || fail "create role"
export PW="$pw"

no_piece() {	# no_piece WHAT TEXT
	case $2 in
	*LEFT*|*RIGHT*) fail "$1 shows a piece of the password: $2" ;;
	esac
}

targets=(
	"postgres://app:$pw@127.0.0.1:$PG_PORT/postgres"
	"postgresql://app:\${PW}@127.0.0.1:$PG_PORT/postgres"
	"redis://:$pw@127.0.0.1:$REDIS_PORT/0"
	"redis://default:\${PW}@127.0.0.1:$REDIS_PORT"
	"http://u:$pw@127.0.0.1:$HTTPD_PORT/ok"
)
for t in "${targets[@]}"; do
	printf '[check:x]\nurl = %s\nquery = SELECT 1\n' "$t" >"$T/a.ini"
	case $t in
	postgres*) ;;
	*) sed -i '/^query/d' "$T/a.ini" ;;
	esac
	out=$(timeout 10 "$HINIT" -t -c "$T/a.ini" 2>&1)
	expect_eq "-t exit code for $t" 2 "$?"
	expect_match "-t error" "more than one '@' before the host.*%40" "$out"
	no_piece "-t" "$out"
	out=$(timeout 10 "$HINIT" -c "$T/a.ini" -- touch "$T/started" 2>&1)
	expect_eq "run exit code for $t" 2 "$?"
	[ ! -e "$T/started" ] || fail "the app started with $t"
	no_piece "a run" "$out"
	out=$(timeout 10 "$HINIT" --check "$t" -- touch "$T/started" 2>&1)
	expect_eq "--check exit code for $t" 2 "$?"
	no_piece "--check" "$out"
	out=$(timeout 10 "$HINIT" check "$t" 2>&1)
	expect_eq "hinit check exit code for $t" 2 "$?"
	no_piece "hinit check" "$out"
done
pass "a raw '@' in user info is refused, showing no part of the password"

# Written %40, it logs in (query: a real login, not only pg_isready).
enc='pw-LEFT%40pw-RIGHT'
out=$(timeout 20 "$HINIT" check \
    "redis://:$enc@127.0.0.1:$REDIS_PORT/0" \
    "http://u:$enc@127.0.0.1:$HTTPD_PORT/ok" 2>&1)
expect_eq "hinit check %40 exit code ($out)" 0 "$?"
no_piece "hinit check %40" "$out"
cat >"$T/b.ini" <<INI
[check:db]
url = postgres://app:$enc@127.0.0.1:$PG_PORT/postgres?sslmode=disable
query = SELECT 1
interval = 100ms
INI
pid1 -c "$T/b.ini" --status-file "$T/s.json" -- sleep 30 2>"$T/err" &
on_exit "kill -9 $!"
healthy() { grep -q '"hinit:state": "healthy"' "$T/s.json" 2>/dev/null; }
wait_for 15 healthy || fail "%40 password: not healthy: $(cat "$T/s.json" "$T/err")"
grep -q 'query ok (1 row)' "$T/s.json" || fail "no login: $(cat "$T/s.json")"
no_piece "the status file" "$(cat "$T/s.json" "$T/err")"
pass "an '@' written %40 logs in to PostgreSQL, Redis and HTTP"
