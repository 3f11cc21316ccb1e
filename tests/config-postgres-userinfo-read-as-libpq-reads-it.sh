#!/bin/bash
# libpq looks for the '@' that ends the user info up to the first '/',
# past a '?' or a '#': to it "postgres://app:12?pw@db/app" is user app,
# password "12?pw", host db. hinit read a port 12 of host "app" there, saw
# no password to mask, and showed it in the status file, the log and
# hinit check while libpq logged in with it. Such a URL is a config error
# that shows no part of it; written %3F or %23, the password logs in.
# libpq's sslpassword= (a key's passphrase) is masked like password=.
. "$top_srcdir/tests/lib.sh"

pg_start
for pw in '12?pw-SeCrEt' '1234#pw-SeCrEt'; do
	PGPASSWORD=secret psql -q -h 127.0.0.1 -p "$PG_PORT" -U hinit \
	    -d postgres -c "DROP ROLE IF EXISTS app" \
	    -c "CREATE ROLE app LOGIN PASSWORD '$pw'" || fail "create role"
	for t in "postgres://app:$pw@127.0.0.1:$PG_PORT/postgres" \
	    "postgresql://app:$pw@127.0.0.1:$PG_PORT"; do
		printf '[check:x]\nurl = %s\nquery = SELECT 1\n' "$t" >"$T/a.ini"
		out=$(timeout 10 "$HINIT" -t -c "$T/a.ini" 2>&1)
		expect_eq "-t exit code for $t ($out)" 2 "$?"
		expect_match "-t error" "'\?' or '#' before the '@'.*%3F" "$out"
		out2=$(timeout 10 "$HINIT" -c "$T/a.ini" -- sleep 1 2>&1)
		expect_eq "run exit code for $t" 2 "$?"
		out3=$(timeout 10 "$HINIT" --check "$t" -- sleep 1 2>&1)
		expect_eq "--check exit code for $t" 2 "$?"
		out4=$(timeout 10 "$HINIT" check "$t" 2>&1)
		expect_eq "hinit check exit code for $t ($out4)" 2 "$?"
		case "$out $out2 $out3 $out4" in
		*SeCrEt*) fail "the password is shown: $out $out2 $out3 $out4" ;;
		esac
	done
done
pass "a postgres URL with '?' or '#' before the '@' is refused"

# Written %23, it logs in; sslpassword= is masked.
cat >"$T/b.ini" <<INI
[check:db]
url = postgres://app:1234%23pw-SeCrEt@127.0.0.1:$PG_PORT/postgres?sslmode=disable&sslpassword=Ssl-SeCrEt
query = SELECT 1
interval = 100ms
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/b.ini" \
    --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
wait_for 15 grep -q 'query ok' "$T/s.json" ||
    fail "%23: no login: $(cat "$T/s.json" "$T/err")"
out=$(timeout 10 "$HINIT" -t -c "$T/b.ini" 2>&1; cat "$T/s.json" "$T/err")
expect_match "masked" 'sslpassword=\*\*\*' "$out"
case $out in *SeCrEt*) fail "a password is shown: $out" ;; esac
pass "written %23 it logs in; sslpassword= is masked"
