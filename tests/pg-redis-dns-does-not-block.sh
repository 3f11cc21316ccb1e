#!/bin/bash
# pg-redis-dns-does-not-block: libpq and hiredis would look host names up by
# blocking; hinit resolves them off the loop first. With a DNS server that
# never answers, postgres and redis checks of that name time out on time
# while checks of the same servers by address pass in the same run. Runs in
# its own network and mount namespaces: a silent DNS server on that
# namespace's 127.0.0.1:53 is the only one in /etc/resolv.conf.

. "$top_srcdir/tests/lib.sh"

cat >"$T/inner.sh" <<'EOT'
. "$top_srcdir/tests/lib.sh"
silent_dns_start
pg_start
redis_start

start=$(date +%s%N)
out=$(timeout 120 "$HINIT" check --timeout "$(slow 1)s" \
    "postgres://hinit:secret@hinit-test.example:$PG_PORT/postgres" \
    "redis://hinit-test.example:$REDIS_PORT" \
    "postgres://hinit:secret@127.0.0.1:$PG_PORT/postgres" \
    "redis://127.0.0.1:$REDIS_PORT" 2>&1)
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$out"
[ $rc -eq 1 ] || fail "exit $rc, expected 1"
expect_match "postgres, unresolved name" \
    "postgres://hinit:\*\*\*@hinit-test.example:$PG_PORT/postgres timeout " "$out"
expect_match "redis, unresolved name" \
    "redis://hinit-test.example:$REDIS_PORT timeout " "$out"
expect_match "postgres by address" \
    "postgres://hinit:\*\*\*@127.0.0.1:$PG_PORT/postgres pass " "$out"
expect_match "redis by address" "redis://127.0.0.1:$REDIS_PORT pass " "$out"
# The resolver gives up after 60s; hinit must not wait for it.
[ $ms -lt "$(slow 5000)" ] ||
    fail "took ${ms}ms with a $(slow 1)s timeout: blocked on DNS"
EOT
out=$(timeout 300 unshare --mount --net bash "$T/inner.sh" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "in the namespace: exit $rc"
pass "hanging name lookups block neither postgres nor redis checks"
