#!/bin/bash
# hinit status exits 0 or 1 only: --live judges live checks and the app,
# naming checks judges those, --json prints the document, a non-critical
# failure is "warn" (ready), and no file, garbage or a usage error is 1.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
file=$T/s.json
cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
[check:alive]
command = true
role = live
interval = 100ms
[check:ready]
command = test -f $T/up
interval = 100ms
start_period = 60s
start_interval = 100ms
[check:extra]
command = test -f $T/extra
critical = no
interval = 100ms
retries = 1
INI

unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -c "$T/hinit.ini" --status-file "$file" -- sleep 1000 2>"$T/err" &
unshare_pid=$!
on_exit "kill -9 $unshare_pid"
wait_for 5 pgrep -P $unshare_pid || fail "hinit did not start"
hinit_pid=$(pgrep -P $unshare_pid)
on_exit "kill -9 $hinit_pid"

st() { timeout 5 "$HINIT" status --status-file "$file" "$@" >"$T/out" 2>"$T/errout"; echo $?; }
checks_state() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(d["checks"][k][0]["hinit:state"] for k in sorted(d["checks"])))' "$file" 2>/dev/null
}
is() { [ "$(checks_state)" = "$1" ]; }

# alive healthy, extra unhealthy, ready starting.
wait_for 10 is "healthy unhealthy starting" || fail "checks: $(checks_state)"
expect_eq "not ready while starting" 1 "$(st)"
expect_eq "--live: the live check and the app" 0 "$(st --live)"
expect_eq "--live shows the live check only" "alive live:" \
    "$(cut -d' ' -f1 "$T/out" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "naming a healthy check" 0 "$(st alive)"
expect_eq "naming a starting check" 1 "$(st ready)"
expect_eq "naming a non-critical failing check" 1 "$(st extra)"
expect_eq "unknown check" 1 "$(st nope)"
expect_match "unknown check message" "no check named 'nope'" "$(cat "$T/errout")"
expect_eq "-- before names" 0 "$(st -- alive)"
# Options come first, as getopt takes them: after a name a word is a name.
expect_eq "an option after a name is a name" 1 "$(st alive --json)"
expect_match "named as a check" "no check named '--json'" "$(cat "$T/errout")"

touch "$T/up"
wait_for 10 is "healthy unhealthy healthy" || fail "checks: $(checks_state)"
expect_eq "ready with a non-critical failure (warn)" 0 "$(st)"
expect_match "warn in the last line" '^ready: pass \(warn: extra\)' "$(tail -1 "$T/out")"
expect_eq "one line per check and the overall line" 4 "$(wc -l <"$T/out")"
expect_eq "/health says 200 for warn" 200 \
    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")"

expect_eq "--json exit code" 0 "$(st --json)"
python3 - "$T/out" <<'PY' || fail "--json document"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["status"] == "warn", d["status"]
assert d["hinit:state"] == "healthy"
assert "version" not in d and d["hinit:version"] and d["serviceId"]
assert d["hinit:app"]["state"] == "running" and d["hinit:app"]["restarts"] == 0
c = d["checks"]["ready:responseTime"][0]
assert c["componentId"] == "ready" and c["componentType"] == "system"
assert c["status"] == "pass" and c["observedUnit"] == "ms"
assert isinstance(c["observedValue"], (int, float))
assert c["hinit:target"].startswith("exec:test -f ")
assert 1 <= len(c["hinit:log"]) <= 5
assert set(c["hinit:log"][-1]) == {"start", "end", "duration", "result",
                                   "output"}
assert all(a["duration"] >= 0 and a["duration"] < 60000 for a in c["hinit:log"])
assert c["hinit:log"][-1]["duration"] == c["observedValue"]
assert d["checks"]["extra:responseTime"][0]["status"] in ("warn", "fail")
PY
expect_eq "--json --live" 0 "$(st --json --live)"
expect_eq "--json names" 1 "$(st --json extra)"

# Usage errors are 1, never 2 (Docker reserves it).
expect_eq "unknown option" 1 "$(st --frobnicate)"
expect_eq "missing path" 1 "$(timeout 5 "$HINIT" status --status-file >/dev/null 2>&1; echo $?)"
expect_eq "no such file" 1 "$(timeout 5 "$HINIT" status --status-file "$T/none.json" >/dev/null 2>&1; echo $?)"
printf '{"status": "pass", "hinit:upd' >"$T/cut.json"
expect_eq "cut short" 1 "$(timeout 5 "$HINIT" status --status-file "$T/cut.json" >/dev/null 2>&1; echo $?)"
head -c 3000 /dev/urandom >"$T/garbage.json"
expect_eq "garbage" 1 "$(timeout 5 "$HINIT" status --status-file "$T/garbage.json" >/dev/null 2>&1; echo $?)"
pass "hinit status judges views and checks, exits 0 or 1"
