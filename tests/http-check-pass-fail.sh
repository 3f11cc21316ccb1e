#!/bin/bash
# hinit check on http targets: the status decides (200-399 pass by default,
# a 3xx is not followed), one line per target, exit 0 only if all pass.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
httpd_start

out=$(timeout 20 "$HINIT" check "$HTTPD_URL/ok")
expect_eq "exit of a 200" 0 $?
expect_match "200 line" "^http $HTTPD_URL/ok pass [0-9.]+m?s HTTP 200\$" "$out"

out=$(timeout 20 "$HINIT" check "$HTTPD_URL/status/500")
expect_eq "exit of a 500" 1 $?
expect_match "500 line" " fail .*HTTP 500 \(expected 200-399\)\$" "$out"

out=$(timeout 20 "$HINIT" check "$HTTPD_URL/status/404")
expect_eq "exit of a 404" 1 $?
expect_match "404 line" " fail .*HTTP 404 \(expected 200-399\)\$" "$out"

out=$(timeout 20 "$HINIT" check "$HTTPD_URL/redirect?to=/status/500")
expect_eq "exit of a 302 not followed" 0 $?
expect_match "302 line" " pass .*HTTP 302\$" "$out"

out=$(timeout 20 "$HINIT" check "$HTTPD_URL/ok" "$HTTPD_URL/status/503")
expect_eq "exit with one of two failing" 1 $?
expect_eq "lines for two targets" 2 "$(wc -l <<<"$out")"

port=$(free_port)
out=$(timeout 20 "$HINIT" check "http://127.0.0.1:$port/")
expect_eq "exit of a refused connection" 1 $?
expect_match "refused line" " fail .*Connection refused\$" "$out"
pass "http status decides pass and fail"
