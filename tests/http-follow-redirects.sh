#!/bin/bash
# Redirects: not followed by default (a 3xx is in 200-399); with
# follow_redirects = yes the final answer decides, at most 5 hops, and
# only to http or https (ftp://, file:// refused).
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
expect_log() {	# expect_log WHAT REGEX: a line of hinit's log matches
	grep -qE -- "$2" "$T/err" || fail "$1: no line matches /$2/ in: $(cat "$T/err")"
}
expect_no_log() {	# expect_no_log WHAT REGEX: no line of hinit's log matches
	! grep -E -- "$2" "$T/err" || fail "$1: a line matches /$2/"
}
httpd_start

check() {	# check NAME PATH KEY=VALUE...
	local name=$1 path=$2
	shift 2
	printf '[check:%s]\nurl = %s%s\ninterval = 200ms\nretries = 1\n' \
	    "$name" "$HTTPD_URL" "$path"
	printf '%s\n' "$@"
}
ftp=$(free_port)
{
	printf '[hinit]\nstatus_file = %s\n' "$T/status.json"
	check notfollowed "/redirect?to=/status/500"
	check followed "/redirect?to=/status/500" "follow_redirects = yes"
	check five "/chain?n=5" "follow_redirects = yes"
	check six "/chain?n=6" "follow_redirects = yes"
	check ftp "/redirect?to=ftp://127.0.0.1:$ftp/x" "follow_redirects = yes"
	check file "/redirect?to=file:///etc/hostname" "follow_redirects = yes"
} >"$T/hinit.ini"

# The app ends once each of the 6 checks has said healthy or unhealthy.
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -v -- \
    wait-for 20 sh -c "[ \$(grep -cE 'check [^ ]+: (un)?healthy' $T/err) -ge 6 ]" \
    2>"$T/err"
rc=$?
[ $rc -eq 0 ] || fail "hinit exited $rc: $(cat "$T/err")"
expect_log "3xx passes unfollowed" "check notfollowed: healthy \(HTTP 302\)"
expect_log "followed to a 500" \
    "check followed: unhealthy after 1 failure: HTTP 500 \(expected 200-399\)"
expect_log "five hops" "check five: healthy \(HTTP 200\)"
expect_log "six hops" "check six: unhealthy after 1 failure: .*redirects"
expect_no_log "six hops never pass" "check six: healthy"
# A libcurl built without FTP and FILE (the static build's) knows neither
# scheme, and says so in other words.
ftp_refused='Protocol "ftp" not supported'
file_refused='Protocol "file" not supported'
if static_build; then
	ftp_refused='.*Unsupported URL scheme'
	file_refused='URL using bad/illegal format'
fi
expect_log "ftp refused" "check ftp: unhealthy after 1 failure: $ftp_refused"
expect_log "file refused" "check file: unhealthy after 1 failure: $file_refused"
expect_no_log "ftp never passes" "check ftp: healthy"
expect_no_log "file never passes" "check file: healthy"
grep -q "GET /chain?n=0" "$HTTPD_LOG" || fail "the five-hop chain did not reach its end"
pass "redirects are followed only when asked, at most 5, http(s) only"
