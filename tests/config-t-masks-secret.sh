#!/bin/bash
# hinit -t shows values as written with URL passwords as ***: a password
# given through ${VAR} (postgres, redis, http) never appears on stdout or
# stderr, not even in an error; and the output reads back as a config.
. "$top_srcdir/tests/lib.sh"

export PGPW=pg-SeCrEt-1 REDIS_PASSWORD=rd-SeCrEt-2 HTTP_PW=ht-SeCrEt-3
export DATABASE_URL="postgres://app:db-SeCrEt-4@127.0.0.1:5432/app"
secrets='SeCrEt'

no_secret() {
	case $2 in
	*$secrets*) fail "$1 shows a secret: $2" ;;
	esac
}

cat >"$T/a.ini" <<'X'
[hinit]
wait = db

[check:db]
url = postgres://app:${PGPW}@127.0.0.1:5432/app?sslmode=disable
query = SELECT 1

[check:env]
url = ${DATABASE_URL}

[check:cache]
url = redis://:${REDIS_PASSWORD}@127.0.0.1:6379/0

[check:web]
url = http://probe:${HTTP_PW}@127.0.0.1:3000/health?password=${HTTP_PW}
header = X-Token: ${HTTP_PW}

[check:literal]
url = postgresql://app:literal-SeCrEt-5@[::1]:5432/app

[task:t]
command = echo ${PGPW}
X

out=$(timeout 10 "$HINIT" -t -c "$T/a.ini" 2>"$T/err")
expect_eq "hinit -t exit code" 0 "$?"
err=$(cat "$T/err")
no_secret "stdout" "$out"
no_secret "stderr" "$err"
expect_match "postgres masked" "url = postgres://app:\*\*\*@127\.0\.0\.1:5432/app\?sslmode=disable" "$out"
expect_match "env URL as written" "url = \\$\{DATABASE_URL\}" "$out"
expect_match "redis masked" "url = redis://:\*\*\*@127\.0\.0\.1:6379/0" "$out"
expect_match "http masked" "url = http://probe:\*\*\*@127\.0\.0\.1:3000/health\?password=\*\*\*" "$out"
expect_match "header as written" "header = X-Token: \\$\{HTTP_PW\}" "$out"
expect_match "literal masked" "url = postgresql://app:\*\*\*@\[::1\]:5432/app" "$out"
expect_match "command as written" "command = echo \\$\{PGPW\}" "$out"
pass "secrets masked in hinit -t"

# The output is a config that hinit -t accepts, and prints the same way.
printf '%s\n' "$out" >"$T/b.ini"
out2=$(timeout 10 "$HINIT" -t -c "$T/b.ini" 2>&1)
expect_eq "re-read exit code" 0 "$?"
expect_eq "re-read output" "$(tail -n +2 "$T/b.ini")" "$(printf '%s\n' "$out2" | tail -n +2)"
pass "hinit -t output reads back"

# Errors in a value that holds a secret do not show it.
errcase() {
	local name=$1 err
	cat >"$T/$name.ini"
	err=$(timeout 10 "$HINIT" -t -c "$T/$name.ini" 2>&1)
	expect_eq "$name: exit code" 2 "$?"
	expect_match "$name: names the file" "$T/$name.ini:2:" "$err"
	no_secret "$name: stderr" "$err"
	pass "$name: error without the secret"
}
errcase redis-bad-port <<'X'
[check:cache]
url = redis://:${REDIS_PASSWORD}@127.0.0.1:notaport/0
X
errcase postgres-bad-port <<'X'
[check:db]
url = postgres://app:${PGPW}@127.0.0.1:notaport/app
X
errcase http-bad-port <<'X'
[check:web]
url = http://u:${HTTP_PW}@127.0.0.1:notaport/
X
export NOT_A_URL="app:url-SeCrEt-6@127.0.0.1"
errcase not-a-url <<'X'
[check:x]
url = ${NOT_A_URL}
X
# A name in a wait list that matches no check is quoted as written.
export WAIT_FOR="wait-SeCrEt-7"
errcase wait-name <<'X2'
[hinit]
wait = ${WAIT_FOR}
[check:db]
url = tcp://127.0.0.1:1
X2
errcase task-wait-name <<'X2'
[task:migrate]
wait = db, ${WAIT_FOR}
command = true
[check:db]
url = tcp://127.0.0.1:1
X2
