#!/bin/bash
# pg-isready-semantics: on the same real PostgreSQL servers, `hinit check`
# passes exactly where pg_isready exits 0 (accepting connections, even with
# credentials the server refuses) and fails where it exits 1 (rejecting:
# shutting down, standby not accepting connections) or 2 (no response:
# stopped, silent). With `query`, the check logs in and the query must work.
# No password ever shows in an output.

. "$top_srcdir/tests/lib.sh"

# agree WHAT URL ISREADY-CODE RESULT [OUTPUT-REGEX]
agree() {
	local what=$1 url=$2 want_code=$3 want=$4 re=${5:-} code line rc
	local name target result duration output
	timeout 20 "$PG_BIN/pg_isready" -q -t 3 -d "$url"
	code=$?
	expect_eq "$what: pg_isready exit" "$want_code" "$code"
	line=$(timeout "$(slow 20)" "$HINIT" check --timeout "$(slow 3)s" "$url" 2>&1)
	rc=$?
	read -r name target result duration output <<<"$line"
	expect_eq "$what: hinit check result ($line)" "$want" "$result"
	if [ "$want" = pass ]; then
		expect_eq "$what: hinit check exit" 0 "$rc"
	else
		expect_eq "$what: hinit check exit" 1 "$rc"
	fi
	[ -n "$re" ] && expect_match "$what: output" "$re" "$output"
	expect_no_match "$what: password shown" 'secret|wrongpw' "$line"
	pass "$what: pg_isready $code, hinit $result: $output"
}

pg_start
P=$PG_PORT
# A role the server turns away before any password (SQLSTATE 28000): proves
# the answer is judged from the server's error code, not only from a
# password request.
# And hinit through the socket without a password: a login that passes
# authentication and is then dropped by the client (target_session_attrs)
# leaves neither a password request nor a server error to judge by.
runuser -u postgres -- sed -i -e '1i host all nobody 127.0.0.1/32 reject' \
    -e '1i local all hinit trust' "$PG_DIR/data/pg_hba.conf"
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" reload >/dev/null

agree "up" "postgres://hinit:secret@127.0.0.1:$P/postgres" 0 pass \
    '^accepting connections$'
agree "wrong password" "postgres://hinit:wrongpw@127.0.0.1:$P/postgres" 0 pass \
    '^accepting connections$'
agree "no password" "postgres://hinit@127.0.0.1:$P/postgres" 0 pass
agree "no such database" "postgres://hinit:secret@127.0.0.1:$P/nodb" 0 pass
agree "rejected by pg_hba" "postgres://nobody@127.0.0.1:$P/postgres" 0 pass
agree "name resolved off the loop" \
    "postgresql://hinit:secret@localhost:$P/postgres" 0 pass
agree "unix socket" "postgresql:///postgres?host=$PG_DIR&port=$P&user=hinit" \
    0 pass
agree "logged in, then not the standby asked for" \
    "postgresql:///postgres?host=$PG_DIR&port=$P&user=hinit&target_session_attrs=standby" \
    0 pass '^accepting connections$'
agree "unix socket, percent-encoded host" \
    "postgresql://hinit:secret@${PG_DIR//\//%2F}:$P/postgres" 0 pass

# No Kerberos start-up (GSSAPI encryption) unless the URL or PGGSSENCMODE
# asks for it: libpq's Kerberos writes its trace file only when it starts.
krb() {	# krb WHAT URL [ENV...]: whether Kerberos started during a check
	rm -f "$T/krb5.trace"
	env KRB5_TRACE="$T/krb5.trace" "${@:3}" timeout 20 "$HINIT" check \
	    --timeout 3s "$2" >/dev/null 2>&1 || fail "$1: check failed"
	[ -e "$T/krb5.trace" ] && echo started || echo not
}
asked=started
static_build && asked=not	# its libpq has no GSSAPI at all
expect_eq "no GSSAPI by default" not \
    "$(krb default "postgres://hinit:secret@127.0.0.1:$P/postgres")"
expect_eq "gssencmode=prefer in the URL wins" $asked \
    "$(krb url "postgres://hinit:secret@127.0.0.1:$P/postgres?gssencmode=prefer")"
expect_eq "PGGSSENCMODE wins" $asked \
    "$(krb env "postgres://hinit:secret@127.0.0.1:$P/postgres" PGGSSENCMODE=prefer)"
pass "GSSAPI encryption only when asked for"

# With a query: the credentials must work and so must the query.
cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:q_ok]
url = postgres://hinit:secret@127.0.0.1:$P/postgres
query = SELECT 1
interval = 300ms
retries = 1
[check:q_bad]
url = postgres://hinit:secret@127.0.0.1:$P/postgres
query = SELECT * FROM nope
interval = 300ms
retries = 1
[check:q_pw]
url = postgres://hinit:wrongpw@127.0.0.1:$P/postgres
query = SELECT 1
interval = 300ms
retries = 1
INI
# The app ends once the three checks have said healthy or unhealthy.
timeout "$(slow 60)" unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -c "$T/hinit.ini" -v -- wait-for 20 sh -c \
    "[ \$(grep -cE 'check q_[a-z]+: (un)?healthy' $T/out) -ge 3 ]" >"$T/out" 2>&1
log=$(cat "$T/out")
expect_match "query ok" 'check q_ok: healthy \(query ok \(1 row\)\)' "$log"
expect_match "query fails" \
    'check q_bad: unhealthy after 1 failure: query failed: ERROR: relation "nope" does not exist' \
    "$log"
expect_match "query with a wrong password fails" \
    'check q_pw: unhealthy after 1 failure: .*password authentication failed' \
    "$log"
expect_no_match "query: password shown" 'secret|wrongpw' "$log"
pass "query mode: success, failing query, refused login"

# Shutting down: a smart stop waits for the live session, and meanwhile the
# server answers "the database system is shutting down" (57P03).
PGPASSWORD=secret timeout 900 "$PG_BIN/psql" -q -X -d \
    "postgres://hinit@127.0.0.1:$P/postgres" -c 'SELECT pg_sleep(900)' \
    >/dev/null 2>&1 &
on_exit "kill $!"
wait_for 10 bash -c "PGPASSWORD=secret '$PG_BIN/psql' -X -At -d \
    'postgres://hinit@127.0.0.1:$P/postgres' -c \
    \"SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(900)%' AND pid <> pg_backend_pid()\" | grep -q 1" ||
    fail "the long session did not start"
runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m smart -t 900 \
    stop >/dev/null 2>&1 &
wait_for 10 bash -c "'$PG_BIN/pg_isready' -q -d 'postgres://127.0.0.1:$P/postgres'; [ \$? = 1 ]" ||
    fail "the server never went into its smart shutdown"
agree "shutting down" "postgres://hinit:secret@127.0.0.1:$P/postgres" 1 fail \
    '^rejecting connections: '
agree "shutting down, wrong password" \
    "postgres://hinit:wrongpw@127.0.0.1:$P/postgres" 1 fail '^rejecting'
agree "shutting down, unix socket" \
    "postgresql:///postgres?host=$PG_DIR&port=$P&user=hinit" 1 fail '^rejecting'

# Stopped: nobody answers.
pg_stop
agree "stopped" "postgres://hinit:secret@127.0.0.1:$P/postgres" 2 fail \
    '^no response: .*refused'
agree "stopped, unix socket" \
    "postgresql:///postgres?host=$PG_DIR&port=$P&user=hinit" 2 fail \
    '^no response: '

# From here the server speaks German (lc_messages, from a locale built in
# $T): the judgement rests on SQLSTATEs, never on the server's words.
mkdir "$T/locale"
localedef -i de_DE -f UTF-8 "$T/locale/de_DE.UTF-8" >/dev/null 2>&1 ||
    fail "localedef de_DE.UTF-8"
# Only the server gets the locale: glibc's own locale loading leaks a few
# bytes that LeakSanitizer would pin on hinit.
LOCPATH=$T/locale pg_ctl_start -c lc_messages=de_DE.UTF-8
agree "German: rejected by pg_hba" "postgres://nobody@127.0.0.1:$P/postgres" \
    0 pass '^accepting connections$'
agree "German: wrong password" \
    "postgres://hinit:wrongpw@127.0.0.1:$P/postgres" 0 pass
pg_stop

# A standby with hot_standby = off never accepts connections (57P03).
runuser -u postgres -- touch "$PG_DIR/data/standby.signal"
LOCPATH=$T/locale pg_ctl_start -c hot_standby=off -c lc_messages=de_DE.UTF-8
wait_for 10 bash -c "'$PG_BIN/pg_isready' -q -d 'postgres://127.0.0.1:$P/postgres'; [ \$? = 1 ]" ||
    fail "the standby did not come up"
agree "German: standby, hot_standby off" \
    "postgres://hinit:secret@127.0.0.1:$P/postgres" 1 fail \
    '^rejecting connections: das Datenbanksystem'
pg_stop

# A server that accepts and never says a word: the engine's timeout.
silent_start
SILENT=$SILENT_PORT
agree "silent server" "postgres://hinit:secret@127.0.0.1:$SILENT/postgres" 2 \
    timeout
