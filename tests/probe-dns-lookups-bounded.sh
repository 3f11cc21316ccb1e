#!/bin/bash
# Name lookups are bounded when the DNS server never answers: a check has
# at most one lookup in flight (an attempt that times out leaves it to the
# next attempt, which takes it over), and all checks together at most 8
# threads, since threads count against the container's pids.max. One
# check, then ten of every type that looks names up (tcp, http, redis,
# postgres) every 100ms for 4s; counted in /proc/PID/task. As PID 1 and not,
# in network and mount namespaces of the test's own, where a silent DNS
# server on 127.0.0.1:53 is the only one in /etc/resolv.conf.
. "$top_srcdir/tests/lib.sh"

cat >"$T/inner.sh" <<'EOT'
. "$top_srcdir/tests/lib.sh"
silent_dns_start

# threads "URL..." HINIT...: the most threads hinit had at once, with a
# check of each URL.
threads() {
	local urls=$1 most=0 n i=0 url pid job
	shift
	{
		echo "[hinit]"
		echo "status_file = $T/status.json"
		for url in $urls; do
			i=$((i + 1))
			echo "[check:name$i]"
			echo "url = $url"
			echo "interval = 100ms"
			echo "timeout = 100ms"
		done
	} >"$T/hinit.ini"
	"$@" -q -c "$T/hinit.ini" -- sleep 4 &
	job=$!
	pid=$job
	if [ "$1" = unshare ]; then
		wait_for 5 pgrep -P $job -x hinit || fail "no hinit"
		pid=$(pgrep -P $job -x hinit)
	fi
	while kill -0 $job 2>/dev/null; do
		n=$(ls /proc/$pid/task 2>/dev/null | wc -l)
		[ "$n" -gt "$most" ] && most=$n
		sleep 0.05
	done
	wait $job || fail "hinit: exit $?"
	echo "$most"
}

for how in "PID 1" "not PID 1"; do
	if [ "$how" = "PID 1" ]; then
		run="unshare --pid --fork --kill-child --mount-proc $HINIT"
	else
		run=$HINIT
	fi
	for url in tcp://hinit-test.example:80 http://hinit-test.example/; do
		n=$(threads "$url" $run)
		note "$how, $url: at most $n threads"
		[ "$n" -le 2 ] ||
		    fail "$how, $url: $n threads: more than one lookup"
	done
	urls=
	for i in 1 2 3 4; do
		urls="$urls tcp://hinit-test-$i.example:80"
	done
	for i in 5 6; do
		urls="$urls http://hinit-test-$i.example/"
		urls="$urls redis://hinit-test-$((i + 2)).example"
		urls="$urls postgres://app@hinit-test-$((i + 4)).example/app"
	done
	n=$(threads "$urls" $run)
	note "$how, 10 checks: at most $n threads"
	[ "$n" -le 9 ] || fail "$how, 10 checks: $n threads, 9 at most"
	[ "$n" -ge 2 ] || fail "$how, 10 checks: no lookup thread seen"
	pass "$how: lookups bounded"
done
EOT
out=$(timeout 120 unshare --mount --net bash "$T/inner.sh" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "in the namespace: exit $rc"
