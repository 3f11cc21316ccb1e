#!/bin/bash
# PostgreSQL quotes a value it cannot read, blanks and all; the postgres
# check folds libpq's multi-line texts into one line, runs of blanks into
# one space, and did so before the scrubber looked: a secret holding two
# spaces or a tab no longer matched itself, and showed (folded) in the
# status file, the log and /health. Secrets are hidden before folding.
. "$top_srcdir/tests/lib.sh"

pg_start
export K=$'Kq-SeCrEt  tWoWoRd\ttHrEeWoRd'
cat >"$T/hinit.ini" <<INI
[check:q]
url = postgres://hinit:secret@127.0.0.1:$PG_PORT/postgres
query = SELECT '\${K}'::int
interval = 200ms
retries = 1
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
wait_for 20 grep -q 'invalid input syntax' "$T/s.json" ||
    fail "no error from PostgreSQL: $(cat "$T/s.json" "$T/err")"
grep -qF 'invalid input syntax for type integer: \"***\"' "$T/s.json" ||
    fail "not hidden: $(grep -o 'invalid input syntax[^,]*' "$T/s.json" | head -1)"
grep -q 'SeCrEt\|tWoWoRd\|tHrEeWoRd' "$T/s.json" "$T/err" &&
    fail "a piece of the secret: $(grep -oh 'integer: [^,]*' "$T/s.json" "$T/err" | head -1)"
pass "a secret with blanks quoted by PostgreSQL stays hidden once folded"
