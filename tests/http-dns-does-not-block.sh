#!/bin/bash
# A name whose DNS server never answers: the attempt times out on time and
# abandoning it does not wait for the resolver (the loop never blocks on
# DNS). Runs in its own network and mount namespaces: a silent DNS server
# on that namespace's 127.0.0.1:53 is the only one in /etc/resolv.conf.
. "$top_srcdir/tests/lib.sh"

cat >"$T/inner.sh" <<'EOT'
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
silent_dns_start
httpd_start

start=$(date +%s%N)
out=$(timeout 120 "$HINIT" check --timeout "$(slow 1)s" \
    "http://hinit-test.example/ok" "$HTTPD_URL/ok")
rc=$?
ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "$out"
[ $rc -eq 1 ] || fail "exit $rc, expected 1"
expect_match "unresolved name" "http://hinit-test.example/ok timeout " "$out"
expect_match "other target" "$HTTPD_URL/ok pass " "$out"
# The resolver gives up after 60s; hinit must not wait for it.
[ $ms -lt "$(slow 5000)" ] ||
    fail "took ${ms}ms with a $(slow 1)s timeout: blocked on DNS"
EOT
out=$(timeout 300 unshare --mount --net bash "$T/inner.sh" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "in the namespace: exit $rc"
pass "a hanging name lookup neither blocks hinit nor outlives the timeout"
