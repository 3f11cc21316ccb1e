#!/bin/bash
# pg-killed-and-restarted: a postgres check turns unhealthy after exactly
# `retries` failures in a row once the postmaster is killed with SIGKILL,
# and healthy again once the server is back.

. "$top_srcdir/tests/lib.sh"

pg_start
cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:db]
url = postgres://hinit:secret@127.0.0.1:$PG_PORT/postgres
interval = 300ms
timeout = 2s
retries = 3
INI
unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -c "$T/hinit.ini" -v -- sleep 1000 >"$T/log" 2>&1 &
on_exit "kill -9 $!"	# unshare ignores SIGTERM

count() { grep -c "$1" "$T/log"; }
wait_for 15 grep -q 'check db: healthy' "$T/log" ||
    fail "never healthy: $(cat "$T/log")"
pass "healthy: $(grep 'check db: healthy' "$T/log")"

kill -9 "$(head -1 "$PG_DIR/data/postmaster.pid")"
wait_for 15 grep -q 'check db: unhealthy' "$T/log" ||
    fail "never unhealthy after the kill: $(cat "$T/log")"
line=$(grep 'check db: unhealthy' "$T/log")
expect_match "unhealthy after exactly retries failures" \
    '^hinit: check db: unhealthy after 3 failures: no response: ' "$line"
expect_eq "one unhealthy line" 1 "$(count 'check db: unhealthy')"
pass "$line"

# The killed postmaster's backends leave on their own; until they have, the
# new one refuses to start on the same data.
for i in $(seq 1 $(slow 40)); do
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w \
	    -l "$PG_DIR/log" -o "-p $PG_PORT -k $PG_DIR \
	    -c listen_addresses=127.0.0.1 -c fsync=off" start \
	    >/dev/null 2>&1 && break
	sleep 0.5
done
"$PG_BIN/pg_isready" -q -d "postgres://127.0.0.1:$PG_PORT/postgres" ||
    fail "postgres did not restart"
wait_for 15 bash -c "[ \$(grep -c 'check db: healthy' '$T/log') = 2 ]" ||
    fail "not healthy again: $(cat "$T/log")"
expect_eq "one unhealthy line" 1 "$(count 'check db: unhealthy')"
expect_no_match "password shown" 'secret' "$(cat "$T/log")"
pass "healthy again after the restart"
