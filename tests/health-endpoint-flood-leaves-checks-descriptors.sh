#!/bin/bash
# max_connections is capped by RLIMIT_NOFILE, less the descriptors hinit
# keeps for its checks, tasks and the status file: under nofile 256 with
# max_connections = 4096, a flood of 1,000 held connections never leaves
# a check without a descriptor (EMFILE), so live checks stay healthy and
# on_unhealthy = restart never restarts a healthy app; hinit says it
# serves fewer connections than asked, and still answers /health.
. "$top_srcdir/tests/lib.sh"

silent_start
port=$(free_port)
cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
max_connections = 4096
on_unhealthy = restart
restart_delay = 100ms
[check:cmd]
command = true
interval = 100ms
role = live
[check:cmd2]
command = exec 3>&-; true
interval = 100ms
role = live
[check:port]
url = tcp://127.0.0.1:$SILENT_PORT
interval = 100ms
role = live
INI
(
	ulimit -n 256
	exec unshare --pid --fork --kill-child --mount-proc "$HINIT" \
	    -c "$T/hinit.ini" --status-file "$T/s.json" -- sleep 60
) 2>"$T/err" &
upid=$!
on_exit "kill -9 $upid"
url=http://127.0.0.1:$port
wait_for 10 curl -sf -o /dev/null "$url/health" || fail "not healthy: $(cat "$T/err")"
grep -q 'max_connections 4096 is more than the descriptors allow (nofile 256' \
    "$T/err" || fail "hinit does not say it serves fewer: $(cat "$T/err")"

timeout 60 /usr/bin/python3 - "$port" "$url" <<'PY' || fail "the flood: $(cat "$T/err")"
import json, resource, socket, subprocess, sys, time
port, url = int(sys.argv[1]), sys.argv[2]
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 4096), hard))
held = []
for i in range(1000):
    try:
        held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    except OSError:
        pass
# Long enough for three failures in a row of 100ms checks, many times.
time.sleep(3)
r = subprocess.run(["curl", "-s", "--max-time", "5", url + "/health"],
                   capture_output=True, text=True)
doc = json.loads(r.stdout)
print("# during the flood:", doc["status"], doc["hinit:app"])
assert doc["status"] == "pass", doc.get("output")
assert doc["hinit:app"]["restarts"] == 0, doc["hinit:app"]
for name, v in doc["checks"].items():
    for log in v[0]["hinit:log"]:
        assert log["result"] == "pass", (name, log)
for s in held:
    s.close()
PY
grep -q 'restarting' "$T/err" && fail "the app was restarted: $(cat "$T/err")"
grep -q 'Too many open files' "$T/err" && fail "EMFILE: $(cat "$T/err")"
pass "a connection flood leaves checks their descriptors"
