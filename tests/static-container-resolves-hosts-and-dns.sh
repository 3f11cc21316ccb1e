#!/bin/bash
# Name resolution in a container root with no C library but the one linked
# into the static hinit: names from /etc/hosts are found there without a
# DNS query, other names are asked of the DNS server /etc/resolv.conf names
# (dnsmasq on a loopback address), for every check type (http through
# libcurl, postgres, redis, tcp through hinit's resolver); a name nobody
# knows fails its check with a clear reason.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
. "$top_srcdir/tests/fixtures/rootfs.sh"

command -v dnsmasq >/dev/null || fail "dnsmasq is not installed (dnsmasq-base)"
# A loopback address of this test's own, port 53 (resolv.conf has no port).
ROOT_DNS=127.53.$(($$ % 250 + 1)).$((RANDOM % 250 + 2))
dnsmasq -k --conf-file=/dev/null --no-resolv --no-hosts --user=root \
    --listen-address="$ROOT_DNS" --bind-interfaces --port=53 \
    --local=/hinit.test/ --host-record=dns.hinit.test,127.0.0.1 \
    --log-queries --log-facility="$T/dns.log" --pid-file= 2>"$T/dns.err" &
on_exit "kill $!"
wait_for 10 grep -q started "$T/dns.log" ||
    fail "dnsmasq did not start: $(cat "$T/dns.err" "$T/dns.log" 2>/dev/null)"

httpd_start
pg_start
redis_start
rootfs_make "127.0.0.1 files.hinit.test"

out=$(ctr_run check --timeout 5s \
    "http://dns.hinit.test:$HTTPD_PORT/ok" \
    "tcp://dns.hinit.test:$HTTPD_PORT" \
    "postgres://hinit:secret@dns.hinit.test:$PG_PORT/postgres" \
    "redis://dns.hinit.test:$REDIS_PORT" \
    "http://files.hinit.test:$HTTPD_PORT/ok" \
    "tcp://files.hinit.test:$HTTPD_PORT" \
    "postgres://hinit:secret@files.hinit.test:$PG_PORT/postgres" \
    "redis://files.hinit.test:$REDIS_PORT" 2>&1)
rc=$?
note "$out"
expect_eq "every check passes by name (hosts and DNS)" 0 "$rc"
expect_eq "eight lines, each a pass" 8 "$(grep -c ' pass ' <<<"$out")"
grep -q "query\[A\] dns.hinit.test" "$T/dns.log" ||
    fail "dns.hinit.test was not asked of the DNS server: $(cat "$T/dns.log")"
grep -q "files.hinit.test" "$T/dns.log" &&
    fail "files.hinit.test (in /etc/hosts) was asked of the DNS server"
pass "names from /etc/hosts and from the DNS server, every check type"

out=$(ctr_run check --timeout 5s "http://nowhere.hinit.test:$HTTPD_PORT/ok" \
    "tcp://nowhere.hinit.test:$HTTPD_PORT" \
    "postgres://hinit:secret@nowhere.hinit.test:$PG_PORT/postgres" \
    "redis://nowhere.hinit.test:$REDIS_PORT" 2>&1)
rc=$?
note "$out"
expect_eq "a name nobody knows fails" 1 "$rc"
expect_eq "four lines, each a fail" 4 "$(grep -c ' fail ' <<<"$out")"
expect_eq "each says the name was not found" 4 \
    "$(grep -ciE "resolve|not known|not found" <<<"$out")"
grep -q "query\[A\] nowhere.hinit.test" "$T/dns.log" ||
    fail "nowhere.hinit.test was not asked of the DNS server"
pass "a name neither /etc/hosts nor the DNS server knows fails clearly"
