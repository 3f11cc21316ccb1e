#!/bin/bash
# A tcp check in init mode follows a server going up, down and up again,
# logging each change once: healthy (connected to ...), unhealthy after 3
# failures: ... connection refused, healthy.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
listen() {
	python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
time.sleep(float(sys.argv[2]))
' "$port" "$1" &
}
cat >"$T/hinit.ini" <<INI
[check:db]
url = tcp://127.0.0.1:$port
interval = 100ms
timeout = 500ms
INI

listen 1 			# up for 1s, then down
( sleep 2.2; exec python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
time.sleep(2)
' "$port" ) &
on_exit "pkill -P $$ python3"
sleep 0.2
timeout 20 "$HINIT" -c "$T/hinit.ini" -- sleep 3.4 2>"$T/log"
expect_eq "app exit code" 0 $?

grep 'check db' "$T/log" >"$T/changes"
expected="hinit: check db: healthy (connected to 127.0.0.1:$port)
hinit: check db: unhealthy after 3 failures: 127.0.0.1:$port: connection refused
hinit: check db: healthy (connected to 127.0.0.1:$port)"
expect_eq "state changes" "$expected" "$(cat "$T/changes")"
pass "tcp up, down, up: three lines"
