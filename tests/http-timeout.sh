#!/bin/bash
# A server that accepts but never answers, or stalls in the middle of the
# body, fails by timeout within the check's timeout: hinit neither waits for
# it nor blocks on it.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
httpd_start

for path in /hang /stall; do
	start=$(date +%s%N)
	out=$(timeout 20 "$HINIT" check --timeout 1s "$HTTPD_URL$path")
	rc=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	expect_eq "exit for $path" 1 $rc
	expect_match "$path line" " timeout " "$out"
	# 1s timeout; a generous bound for a slow machine, far below curl's
	# own limits (minutes) that would apply if hinit's timer did not.
	[ $ms -lt 4000 ] || fail "$path took ${ms}ms with a 1s timeout"
done

out=$(timeout 20 "$HINIT" check --timeout 3s "$HTTPD_URL/slow?ms=300")
expect_eq "exit of a slow but timely answer" 0 $?
expect_match "slow line" " pass .*HTTP 200\$" "$out"
# The timeout abandons the attempt at once: the connection to the hung
# server is closed then, not left to the next attempt (30s later).
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
timeout -k 1 20 "$HINIT" -c "$T/hinit.ini" -v -- sleep 3 2>"$T/err" &
init=$!
wait_for 10 grep -q "check hang: unhealthy" "$T/err" ||
    fail "no timeout: $(cat "$T/err")"
grep -q "GET /hang" "$HTTPD_LOG" || fail "the attempt never reached the server"
# The server may take a moment to see the close, but less than the second
# after which libcurl's own backstop would end the transfer anyway.
for i in 1 2 3 4 5 6 7 8 9 10; do
	open=$(curl -s --noproxy '*' "$HTTPD_URL/open")
	[ "$open" = 1 ] && break
	sleep 0.05
done
expect_eq "connections open after the timeout (the asking one)" 1 "$open"
wait $init || fail "hinit exited $?: $(cat "$T/err")"
pass "hung and stalled servers time out"
