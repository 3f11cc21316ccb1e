#!/bin/bash
# notify = yes beside checks of the file: the check "app" it adds is found
# by name like the others, so hinit starts (it once looked "app" up among
# the file's sections only, and crashed on the socket of a check it did not
# find), and `hinit -t` shows only the sections written.
. "$top_srcdir/tests/lib.sh"
PY=$PYTHON

cat >"$T/hinit.ini" <<INI
[hinit]
notify = yes
status_file = $T/status.json

[check:web]
command = true
interval = 100ms
INI

out=$(timeout 10 "$HINIT" -t -c "$T/hinit.ini" 2>&1) ||
    fail "hinit -t refused it: $out"
expect_no_match "-t output" '\[check:app\]' "$out"
pass "hinit -t takes notify beside a check"

# The app says READY=1 at once: check app turns healthy, web too.
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    -- $PY -c 'import os, socket, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", "\0" + os.environ["NOTIFY_SOCKET"][1:])
time.sleep(30)' 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
healthy() {
	$PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["hinit:state"] == "healthy" and
    sorted(d["checks"]) == ["app:responseTime", "web:responseTime"] else 1)' \
	    "$T/status.json" 2>/dev/null
}
wait_for 10 healthy ||
    fail "app and web never healthy: $(cat "$T/err" "$T/status.json" 2>&1)"
kill -0 "$upid" 2>/dev/null || fail "hinit ended: $(cat "$T/err")"
pass "hinit runs check app beside check web"
