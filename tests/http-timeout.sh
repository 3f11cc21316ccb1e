#!/bin/bash
# A server that accepts but never answers, or stalls in the middle of the
# body, fails by timeout within the check's timeout: hinit neither waits for
# it nor blocks on it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
httpd_start

for path in /hang /stall; do
	start=$(date +%s%N)
	out=$(timeout 60 "$HINIT" check --timeout 1s "$HTTPD_URL$path")
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "exit for $path" 1 $rc
	expect_match "$path line" " timeout " "$out"
	# 1s timeout; a generous bound for a slow machine, far below curl's
	# own limits (minutes) that would apply if hinit's timer did not.
	[ $ms -lt $((1000 + $(slow 3000))) ] ||
	    fail "$path took ${ms}ms with a 1s timeout"
done

out=$(timeout 20 "$HINIT" check --timeout 3s "$HTTPD_URL/slow?ms=300")
expect_eq "exit of a slow but timely answer" 0 $?
expect_match "slow line" " pass .*HTTP 200\$" "$out"
# The timeout abandons the attempt at once: its connection to the hung
# server is closed then, not left to the next attempt (30s later) or to
# libcurl's own backstop (a second later). hinit closes it before it logs
# the result, so once the line is there hinit holds no connection to it.
httpd_start
cat >"$T/hinit.ini" <<EOT
[hinit]
status_file = $T/status.json
[check:hang]
url = $HTTPD_URL/hang
timeout = 500ms
interval = 30s
retries = 1
EOT
"$HINIT" -e 143 -c "$T/hinit.ini" -v -- sleep 1000 2>"$T/err" &
init=$!
on_exit "kill $init"
wait_for 10 grep -q "check hang: unhealthy" "$T/err" ||
    fail "no timeout: $(cat "$T/err")"
held=$(ss -Htn state established "( dport = :$HTTPD_PORT )" | wc -l)
grep -q "GET /hang" "$HTTPD_LOG" || fail "the attempt never reached the server"
expect_eq "connections hinit holds after the timeout" 0 "$held"
kill "$init"
wait "$init"
expect_eq "exit code (SIGTERM, -e 143)" 0 "$?"
pass "hung and stalled servers time out"
