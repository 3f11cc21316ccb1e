#!/bin/bash
# With follow_redirects, the host of a redirect is looked up by hinit's
# bounded resolver, never by a thread of libcurl's: a redirect to a name
# the DNS server never answers costs one lookup in all, not a thread that
# outlives each attempt. A redirect to another host still works, and its
# host is looked up afresh by each attempt (a changed address is seen).
# As PID 1 and not, in network and mount namespaces of the test's own,
# where a silent DNS server is the only one and /etc/hosts names the other
# host.
. "$top_srcdir/tests/lib.sh"

cat >"$T/inner.sh" <<'EOT'
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
silent_dns_start
echo "127.0.0.1 localhost hinit-hop.test" >"$T/hosts"
mount --bind "$T/hosts" /etc/hosts || fail "mount hosts"
httpd_start

cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:silent]
url = $HTTPD_URL/redirect?to=http://hinit-test.example/
follow_redirects = yes
interval = 100ms
timeout = 100ms
[check:hop]
url = $HTTPD_URL/redirect?to=http://hinit-hop.test:$HTTPD_PORT/status/200
follow_redirects = yes
interval = 100ms
retries = 1
INI

# redirects HOW HINIT...
redirects() {
	local how=$1 most=0 n job pid
	shift
	echo "127.0.0.1 localhost hinit-hop.test" >"$T/hosts"
	: >"$HTTPD_LOG"
	"$@" -c "$T/hinit.ini" -- sleep 1000 2>"$T/log" &
	job=$!
	on_exit "pkill -KILL -P $job; kill -KILL $job"
	pid=$job
	if [ "$how" = "PID 1" ]; then
		pid=$(hinit_pid $job) || fail "$how: no hinit"
	fi
	# 30 attempts of the silent one, each leaving libcurl's thread before.
	while [ "$(grep -c hinit-test.example "$HTTPD_LOG")" -lt 30 ]; do
		kill -0 $job 2>/dev/null || fail "$how: hinit exited"
		n=$(ls /proc/$pid/task 2>/dev/null | wc -l)
		[ "$n" -gt "$most" ] && most=$n
		sleep 0.05
	done
	note "$how: at most $most threads over 30 attempts"
	[ "$most" -le 9 ] || fail "$how: $most threads, 9 at most"
	grep -q "check hop: healthy (HTTP 200)" "$T/log" ||
	    fail "$how: the redirect to another host failed: $(cat "$T/log")"
	# The other host moves where nothing answers: the next attempt sees it.
	echo "127.0.0.2 hinit-hop.test" >"$T/hosts"
	wait_for 10 grep -q "check hop: unhealthy" "$T/log" ||
	    fail "$how: the redirect's old address is still used"
	kill -TERM $pid
	wait $job
	expect_eq "$how: exit code" 143 "$?"
	pass "$how: redirect hosts looked up by hinit, afresh each attempt"
}

redirects "PID 1" unshare --pid --fork --kill-child --mount-proc "$HINIT"
redirects "not PID 1" "$HINIT"
EOT
out=$(timeout 120 unshare --mount --net bash "$T/inner.sh" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "in the namespace: exit $rc"
