#!/bin/bash
# fault-targets-break-and-repair: with checks every 100ms, targets that fail
# the ways real ones do, all at once: PostgreSQL stopped and started again
# and again, a Redis that accepts and never answers, an HTTP server that
# trickles one byte a second, a TCP listener whose backlog is full (connects
# hang), names that do not resolve. Each such check is unhealthy while its
# target is broken and healthy once it is repaired, as `hinit status` sees
# it; hinit's descriptors and memory do not grow over thousands of failed
# attempts. Runs in its own network and mount namespaces: name lookups go to
# 127.0.0.1, where nothing answers, and /etc/hosts is ours to change.

. "$top_srcdir/tests/lib.sh"

if [ "${1:-}" != inner ]; then
	timeout "$(slow 300)" unshare --mount --net bash "$0" inner
	rc=$?
	[ $rc -eq 0 ] || fail "in the namespace: exit $rc"
	exit 0
fi

ip link set lo up || fail "ip link set lo up"
printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >"$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf || fail "mount resolv.conf"
cp /etc/hosts "$T/hosts"
mount --bind "$T/hosts" /etc/hosts || fail "mount hosts"

# Under AddressSanitizer memory is ASan's (quarantine, shadow): its
# LeakSanitizer judges leaks at hinit's exit instead of VmRSS.
asan=$HINIT_TEST_ASAN

pg_start
redis_start

# The broken servers; each behaves once $T/repaired exists.
cat >"$T/faults.py" <<'PY'
import os, socket, sys, threading, time
flag, ports = sys.argv[1], sys.argv[2]
repaired = lambda: os.path.exists(flag)

def listener(backlog=64):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(backlog)
    return s

def serve(sock, handle):
    def loop():
        while True:
            c, _ = sock.accept()
            threading.Thread(target=handle, args=(c,), daemon=True).start()
    threading.Thread(target=loop, daemon=True).start()

def redis(c):
    # Broken: takes the connection and the PING, never answers.
    try:
        while True:
            data = c.recv(4096)
            if not data:
                break
            if repaired():
                c.sendall(b"+PONG\r\n" * data.count(b"PING"))
    except OSError:
        pass
    c.close()

def http(c):
    try:
        c.recv(65536)
        body = b"ok" * 50
        head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body)
        if repaired():
            c.sendall(head + body)
        else:
            for b in head + body:	# one byte a second
                c.sendall(bytes([b]))
                time.sleep(1)
                if repaired():
                    break
    except OSError:
        pass
    c.close()

r, h = listener(), listener()
serve(r, redis)
serve(h, http)
# Backlog 0 holds one connection, made here and never accepted: every
# further SYN is dropped and a connect hangs, until repaired.
b = listener(0)
filler = socket.create_connection(b.getsockname())
def blackhole():
    while not repaired():
        time.sleep(0.05)
    while True:
        b.accept()[0].close()
threading.Thread(target=blackhole, daemon=True).start()
with open(ports + ".tmp", "w") as f:
    f.write("%d %d %d\n" % (r.getsockname()[1], h.getsockname()[1],
                            b.getsockname()[1]))
os.rename(ports + ".tmp", ports)
while True:
    time.sleep(3600)
PY
python3 "$T/faults.py" "$T/repaired" "$T/ports" &
on_exit "kill $!"
wait_for 10 test -s "$T/ports" || fail "the broken servers did not start"
read -r silent_port trickle_port hole_port <"$T/ports"
lport=$(free_port)

cat >"$T/hinit.ini" <<EOF
[hinit]
status_file = $T/run/status.json
listen = 127.0.0.1:$lport
[check:db]
url = $PG_URL
interval = 100ms
timeout = 300ms
[check:silent-redis]
url = redis://127.0.0.1:$silent_port
interval = 100ms
timeout = 300ms
[check:trickle-http]
url = http://127.0.0.1:$trickle_port/
interval = 100ms
timeout = 300ms
[check:blackhole]
url = tcp://127.0.0.1:$hole_port
interval = 100ms
timeout = 300ms
[check:unresolved]
url = tcp://flaky.test:$REDIS_PORT
interval = 100ms
timeout = 300ms
[check:unresolved-redis]
url = redis://flaky.test:$REDIS_PORT
interval = 100ms
timeout = 300ms
[check:never-resolves]
url = http://does-not-exist.invalid/
interval = 100ms
timeout = 300ms
critical = no
[check:nowhere]
url = tcp://nowhere.invalid:1
interval = 100ms
timeout = 300ms
critical = no
EOF

unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -c "$T/hinit.ini" -- sleep 1000 2>"$T/hinit.log" &
upid=$!
on_exit "kill -9 $upid"
wait_for 5 pgrep -P $upid || fail "hinit did not start"
hpid=$(pgrep -P $upid)

# state CHECK: its hinit:state, as hinit status --json shows it.
state() {
	"$HINIT" status --json --status-file "$T/run/status.json" 2>/dev/null |
	    python3 -c 'import json, sys
d = json.load(sys.stdin)
print(d["checks"][sys.argv[1] + ":responseTime"][0]["hinit:state"])' "$1"
}
is() { [ "$(state "$1")" = "$2" ]; }
# The lowest of 10 samples: attempts under way hold a descriptor or two.
fds() {
	local i n min=100000
	for i in $(seq 10); do
		n=$(ls /proc/$hpid/fd | wc -l)
		[ "$n" -lt "$min" ] && min=$n
		sleep 0.05
	done
	echo "$min"
}
rss() { awk '/^VmRSS:/ { print $2 }' /proc/$hpid/status; }
# Attempts made so far, all checks together, from /metrics.
attempts() {
	curl -s --max-time "$(slow 5)" "http://127.0.0.1:$lport/metrics" | awk '
	    /^hinit_check_(passes|failures)_total/ { n += $2 } END { print n + 0 }'
}
# settle N: let the checks make N more attempts (some 60 a second here).
settle() {
	local want=$(($(attempts) + $1))
	enough() { [ "$(attempts)" -ge "$want" ]; }
	wait_for 60 enough || fail "only $(attempts) of $want attempts"
}

broken="silent-redis trickle-http blackhole unresolved unresolved-redis never-resolves nowhere"
wait_for 20 is db healthy || fail "db: $(state db)"
for c in $broken; do
	wait_for 20 is "$c" unhealthy || fail "$c while broken: $(state "$c")"
done
pass "every broken target's check is unhealthy, db healthy"
settle 150
fds0=$(fds) rss0=$(rss)
note "after warm-up: $fds0 descriptors, $rss0 KiB, $(attempts) attempts"

# PostgreSQL flaps: down until hinit sees it, up until hinit sees it.
for i in 1 2 3 4 5; do
	pg_stop
	wait_for 20 is db unhealthy || fail "db stopped, cycle $i: $(state db)"
	pg_ctl_start
	wait_for 20 is db healthy || fail "db started, cycle $i: $(state db)"
	for c in $broken; do
		is "$c" unhealthy || fail "$c turned $(state "$c") while broken"
	done
done
pass "PostgreSQL stopped and started 5 times: unhealthy and healthy each time"
settle 250
fds1=$(fds) rss1=$(rss)
note "after the flapping: $fds1 descriptors, $rss1 KiB, $(attempts) attempts"
[ "$fds1" -le $((fds0 + 2)) ] || fail "descriptors grew: $fds0 -> $fds1"
[ $asan = 1 ] || [ "$rss1" -le $((rss0 + 1024)) ] ||
    fail "memory grew: $rss0 -> $rss1 KiB"

# Repair everything but the .invalid names.
printf '127.0.0.1 flaky.test\n' >>"$T/hosts"
touch "$T/repaired"
for c in db silent-redis trickle-http blackhole unresolved unresolved-redis; do
	wait_for 20 is "$c" healthy || fail "$c once repaired: $(state "$c")"
done
is never-resolves unhealthy || fail "never-resolves: $(state never-resolves)"
is nowhere unhealthy || fail "nowhere: $(state nowhere)"
"$HINIT" status --status-file "$T/run/status.json" ||
    fail "hinit status fails with only non-critical checks failing"
settle 150
fds2=$(fds) rss2=$(rss)
note "after repair: $fds2 descriptors, $rss2 KiB, $(attempts) attempts"
[ "$fds2" -le $((fds0 + 2)) ] || fail "descriptors after repair: $fds0 -> $fds2"
[ $asan = 1 ] || [ "$rss2" -le $((rss0 + 1024)) ] ||
    fail "memory after repair: $rss0 -> $rss2 KiB"
kill -0 "$hpid" || fail "hinit died"
kill -TERM "$hpid"
wait "$upid"
grep -q "Sanitizer" "$T/hinit.log" && fail "at exit: $(cat "$T/hinit.log")"
pass "repaired targets turn healthy; descriptors $fds0/$fds1/$fds2, memory $rss0/$rss1/$rss2 KiB"
