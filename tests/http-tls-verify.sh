#!/bin/bash
# https with a self-signed certificate: refused by default and with
# tls_verify = yes, accepted with tls_verify = no.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
expect_log() {	# expect_log WHAT REGEX: a line of hinit's log matches
	grep -qE -- "$2" "$T/err" || fail "$1: no line matches /$2/ in: $(cat "$T/err")"
}
expect_no_log() {	# expect_no_log WHAT REGEX: no line of hinit's log matches
	! grep -E -- "$2" "$T/err" || fail "$1: a line matches /$2/"
}
httpd_start --tls

out=$(timeout 20 "$HINIT" check "$HTTPD_URL/ok")
expect_eq "exit with the default tls_verify" 1 $?
expect_match "default line" " fail .*(SSL|certificate)" "$out"

cat >"$T/hinit.ini" <<EOT
[hinit]
status_file = $T/status.json
[check:strict]
url = $HTTPD_URL/ok
tls_verify = yes
interval = 200ms
retries = 1
[check:lax]
url = $HTTPD_URL/ok
tls_verify = no
interval = 200ms
retries = 1
EOT
# The app ends once both checks have said healthy or unhealthy.
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -v -- \
    wait-for 20 sh -c "[ \$(grep -cE 'check [^ ]+: (un)?healthy' $T/err) -ge 2 ]" \
    2>"$T/err"
rc=$?
[ $rc -eq 0 ] || fail "hinit exited $rc: $(cat "$T/err")"
expect_log "strict" "check strict: unhealthy after 1 failure: .*(SSL|certificate)"
expect_log "lax" "check lax: healthy \(HTTP 200\)"
expect_no_log "lax never fails" "check lax: unhealthy"
pass "tls_verify decides whether a self-signed certificate passes"
