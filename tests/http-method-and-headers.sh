#!/bin/bash
# method and header lines reach the server as written.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
expect_log() {	# expect_log WHAT REGEX: a line of hinit's log matches
	grep -qE -- "$2" "$T/err" || fail "$1: no line matches /$2/ in: $(cat "$T/err")"
}
expect_no_log() {	# expect_no_log WHAT REGEX: no line of hinit's log matches
	! grep -E -- "$2" "$T/err" || fail "$1: a line matches /$2/"
}
httpd_start

cat >"$T/hinit.ini" <<EOT
[hinit]
status_file = $T/status.json
[check:head]
url = $HTTPD_URL/ok?head
method = HEAD
interval = 200ms
retries = 1
[check:post]
url = $HTTPD_URL/ok?post
method = POST
interval = 200ms
retries = 1
[check:headers]
url = $HTTPD_URL/echo-headers
header = X-Hinit-Test: first value
header = Authorization: Bearer tok3n
expect_body = X-Hinit-Test: first value
interval = 200ms
retries = 1
[check:both]
url = $HTTPD_URL/echo-headers
header = X-Hinit-Test: first value
header = Authorization: Bearer tok3n
expect_body = Authorization: Bearer tok3n
interval = 200ms
retries = 1
[check:absent]
url = $HTTPD_URL/echo-headers
expect_body = X-Hinit-Test
interval = 200ms
retries = 1
EOT
# The app ends once each of the 5 checks has said healthy or unhealthy.
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -v -- \
    wait-for 20 sh -c "[ \$(grep -cE 'check [^ ]+: (un)?healthy' $T/err) -ge 5 ]" \
    2>"$T/err"
rc=$?
[ $rc -eq 0 ] || fail "hinit exited $rc: $(cat "$T/err")"
expect_log "HEAD passes" "check head: healthy \(HTTP 200\)"
expect_log "POST passes" "check post: healthy \(HTTP 200\)"
grep -q " HEAD /ok?head\$" "$HTTPD_LOG" || fail "no HEAD request reached the server"
grep -q " GET /ok?head\$" "$HTTPD_LOG" && fail "method = HEAD sent a GET"
grep -q " POST /ok?post\$" "$HTTPD_LOG" || fail "no POST request reached the server"
expect_log "first header" "check headers: healthy \(HTTP 200\)"
expect_log "second header" "check both: healthy \(HTTP 200\)"
expect_log "no header unless asked" "check absent: unhealthy after 1 failure: .*body does not contain"
pass "method and header lines reach the server"
