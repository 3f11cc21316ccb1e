#!/bin/bash
# http_proxy, HTTPS_PROXY, ALL_PROXY & co in hinit's environment are for the
# app, not for the probes: a check talks to its target directly.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
expect_log() {	# expect_log WHAT REGEX: a line of hinit's log matches
	grep -qE -- "$2" "$T/err" || fail "$1: no line matches /$2/ in: $(cat "$T/err")"
}
expect_no_log() {	# expect_no_log WHAT REGEX: no line of hinit's log matches
	! grep -E -- "$2" "$T/err" || fail "$1: a line matches /$2/"
}
httpd_start
proxy_log=$HTTPD_LOG
proxy=http://127.0.0.1:$HTTPD_PORT	# a live server: a proxied request would show in its log
httpd_start --tls
https_url=$HTTPD_URL
httpd_start
dead=http://127.0.0.1:$(free_port)

export http_proxy=$proxy HTTP_PROXY=$proxy https_proxy=$proxy HTTPS_PROXY=$proxy
export ALL_PROXY=$dead all_proxy=$dead
unset no_proxy NO_PROXY

out=$(timeout 20 "$HINIT" check "$HTTPD_URL/ok")
expect_eq "exit with proxies in the environment" 0 $?
expect_match "direct line" " pass .*HTTP 200\$" "$out"

cat >"$T/hinit.ini" <<EOT
[hinit]
status_file = $T/status.json
[check:plain]
url = $HTTPD_URL/ok
interval = 200ms
retries = 1
[check:tls]
url = $https_url/ok
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
expect_log "plain direct" "check plain: healthy \(HTTP 200\)"
expect_log "tls direct" "check tls: healthy \(HTTP 200\)"
[ -s "$proxy_log" ] && fail "requests went through the proxy: $(cat "$proxy_log")"
pass "proxy variables in the environment are ignored"
