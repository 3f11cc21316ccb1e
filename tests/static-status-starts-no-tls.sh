#!/bin/bash
# The static hinit links libcurl and OpenSSL in, yet `hinit status` never
# starts them (its cost stays one file read): no OpenSSL configuration is
# read, as it is as soon as an http check is configured.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"

command -v strace >/dev/null || fail "strace is not installed"
httpd_start
trace() { strace -f -qq -e trace=%file -o "$T/trace" "$HINIT" "$@"; }

# The control: a check that uses libcurl reads OpenSSL's configuration.
trace check "$HTTPD_URL/ok" >/dev/null 2>&1
expect_eq "hinit check of an http URL passes" 0 $?
grep -q 'openssl\.cnf' "$T/trace" ||
    fail "no openssl.cnf read by an http check: the probe sees nothing"

pid1 --status-file "$T/status.json" -- sleep 2 &
init=$!
wait_for 5 test -s "$T/status.json" || fail "no status file"
trace status --status-file "$T/status.json" >/dev/null 2>&1
expect_eq "hinit status: ready" 0 $?
grep 'openssl\.cnf' "$T/trace" &&
    fail "hinit status started OpenSSL (libcurl's global init)"
wait $init
pass "hinit status starts neither libcurl nor OpenSSL"
