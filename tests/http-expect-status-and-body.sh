#!/bin/bash
# expect_status lists and ranges replace the default 200-399; expect_body
# must be in the body, and is judged only after the status passed.
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
{
	printf '[hinit]\nstatus_file = %s\n' "$T/status.json"
	check listed404 /status/404 "expect_status = 404, 500-599"
	check ranged503 /status/503 "expect_status = 404, 500-599"
	check unlisted200 /ok "expect_status = 404, 500-599"
	check default204 /status/204
	check default400 /status/400
	check body /ok "expect_body = ok"
	check nobody /ok "expect_body = nope"
	check bodywrongstatus /status/500 "expect_body = status"
	check bigbody "/big?mb=20" "expect_body = xxxx"
} >"$T/hinit.ini"

# The app ends once each of the 9 checks has said healthy or unhealthy.
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -v -- \
    wait-for 20 sh -c "[ \$(grep -cE 'check [^ ]+: (un)?healthy' $T/err) -ge 9 ]" \
    2>"$T/err"
rc=$?
[ $rc -eq 0 ] || fail "hinit exited $rc: $(cat "$T/err")"
expect_log "404 listed" "check listed404: healthy \(HTTP 404\)"
expect_log "503 in a range" "check ranged503: healthy \(HTTP 503\)"
expect_log "200 not listed" \
    "check unlisted200: unhealthy after 1 failure: HTTP 200 \(expected 404, 500-599\)"
expect_log "204 by default" "check default204: healthy \(HTTP 204\)"
expect_log "400 by default" \
    "check default400: unhealthy after 1 failure: HTTP 400 \(expected 200-399\)"
expect_log "body found" "check body: healthy \(HTTP 200\)"
expect_log "body not found" \
    "check nobody: unhealthy after 1 failure: HTTP 200: body does not contain \"nope\""
expect_log "status before body" \
    "check bodywrongstatus: unhealthy after 1 failure: HTTP 500 \(expected 200-399\)"
expect_log "body of a big answer" "check bigbody: healthy \(HTTP 200\)"
pass "expect_status and expect_body decide"
