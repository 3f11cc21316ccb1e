#!/bin/bash
# The JSON document keeps to the IETF draft (Health Check Response Format
# for HTTP APIs): a check that has not run yet has no "time" (no null
# anywhere), a passing check has no "output", a check that is not
# critical and has never passed is "warn" in a "pass" document; "version"
# is the app's (the version key, here ${APP_VERSION:-}), hinit's own is
# "hinit:version"; /metrics has a state gauge per check that tells
# starting from unhealthy. Real Redis and HTTP servers.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"

redis_start
httpd_start
silent_start
echo "200 ok" >"$HTTPD_TOGGLE"
export APP_VERSION=1.4.2
port=$(free_port)
# First attempts are spread over the interval: cache at once, later in
# 20 minutes, web at once (i of n at i * interval / n).
cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
version = \${APP_VERSION:-}
[check:cache]
url = redis://127.0.0.1:$REDIS_PORT
interval = 1h
[check:later]
url = tcp://127.0.0.1:$SILENT_PORT
interval = 1h
critical = no
[check:web]
url = $HTTPD_URL/toggle
interval = 200ms
retries = 1
critical = no
INI
pid1 -c "$T/hinit.ini" --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
url=http://127.0.0.1:$port
# has STATE...: /metrics shows each check=state.
has() {
	local cs
	curl -s "$url/metrics" >"$T/metrics" || return 1
	for cs in "$@"; do
		grep -q "^hinit_check_state{check=\"${cs%=*}\",state=\"${cs#*=}\"} 1$" \
		    "$T/metrics" || return 1
	done
}
wait_for 15 has cache=healthy web=healthy later=starting ||
    fail "states: $(cat "$T/metrics" "$T/err")"
grep -q '^hinit_check_state{check="later",state="unhealthy"} 0$' "$T/metrics" ||
    fail "starting told from unhealthy: $(cat "$T/metrics")"
curl -s "$url/health" >"$T/health"
grep -q 'null' "$T/health" && fail "a null in the document: $(cat "$T/health")"
/usr/bin/python3 - "$T/health" <<'PY' || fail "the document: $(cat "$T/health")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "pass", d["status"]
assert d["version"] == "1.4.2", d.get("version")
assert d["hinit:version"], d
c = {k.split(":")[0]: v[0] for k, v in d["checks"].items()}
assert c["later"]["hinit:state"] == "starting" and c["later"]["hinit:log"] == []
assert "time" not in c["later"] and "observedValue" not in c["later"], c["later"]
assert c["later"]["status"] == "warn", c["later"]["status"]
for name in "cache", "web":
    assert c[name]["status"] == "pass" and "output" not in c[name], c[name]
    assert "time" in c[name] and "observedValue" in c[name]
assert c["cache"]["hinit:log"][-1]["output"] == "PONG"
PY

# web fails now: warn, and says why.
echo "503 down" >"$HTTPD_TOGGLE"
wait_for 15 has web=unhealthy || fail "web: $(cat "$T/metrics")"
curl -s "$url/health" >"$T/health"
/usr/bin/python3 - "$T/health" <<'PY' || fail "the document: $(cat "$T/health")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "warn", d["status"]
web = d["checks"]["web:responseTime"][0]
assert web["status"] == "warn" and web["output"].startswith("HTTP 503"), web
PY
# hinit status shows how a passing check passed all the same.
out=$(timeout 5 "$HINIT" status --status-file "$T/s.json" cache)
expect_match "hinit status line" '^cache healthy pass [0-9.]+ms PONG$' "$(head -1 <<<"$out")"
pass "the document keeps to the draft; a state gauge per check"
