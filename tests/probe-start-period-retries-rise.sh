#!/bin/bash
# In init mode: failures inside start_period are not counted (and come every
# start_interval), `retries` counted failures make the check unhealthy,
# `rise` passes in a row make it healthy again; each state change is logged
# once, with its reason. The check passes only once the test saw it
# unhealthy, whatever the machine's speed.
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:flaky]
command = date +%s.%N >> $T/attempts; test -f $T/up && echo up
interval = 1s
timeout = 5s
retries = 2
rise = 2
start_period = 1s
start_interval = 100ms
INI

t0=$(date +%s.%N)
"$HINIT" -e 143 -c "$T/hinit.ini" --log-format json -- sleep 1000 2>"$T/log" &
pid=$!
on_exit "kill $pid"
wait_for 20 grep -q 'check flaky: unhealthy' "$T/log" || fail "never unhealthy"
date +%s.%N >"$T/up-at"
touch "$T/up"
wait_for 20 grep -q 'check flaky: healthy' "$T/log" || fail "never healthy"
kill "$pid"
wait "$pid"
expect_eq "app exit code (SIGTERM, -e 143)" 0 $?

python3 - "$T" "$t0" <<'PY' || fail "$(cat "$T/log")"
import json, os, sys, datetime
T, t0 = sys.argv[1], float(sys.argv[2])
slow = int(os.environ["TEST_SLOW"])
up = float(open(T + "/up-at").read())
attempts = [float(x) for x in open(T + "/attempts")]
lines = [json.loads(l) for l in open(T + "/log") if l.startswith("{")]
def at(l):
    return datetime.datetime.strptime(l["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
unhealthy = [l for l in lines if "check flaky: unhealthy" in l["msg"]]
healthy = [l for l in lines if "check flaky: healthy" in l["msg"]]
errors = []
if len(unhealthy) != 1:
    errors.append("unhealthy logged %d times" % len(unhealthy))
if len(healthy) != 1:
    errors.append("healthy logged %d times" % len(healthy))
if unhealthy:
    u = unhealthy[0]
    if u["msg"] != "check flaky: unhealthy after 2 failures: exit 1":
        errors.append("unhealthy reason: " + u["msg"])
    # Not counted inside the 1s from hinit's start (after t0); then 2
    # failures 1s apart. The log's times are in ms.
    if not 1.999 <= at(u) - t0 <= 2.0 + 1.5 * slow:
        errors.append("unhealthy at %.3fs" % (at(u) - t0))
# The first attempt runs at once: inside start_period the attempts follow
# each other start_interval (100ms) after the last ended, not interval (1s).
first = [a for a in attempts if a - attempts[0] < 0.9]
gaps = [b - a for a, b in zip(first, first[1:])]
if not gaps or min(gaps) < 0.1 or min(gaps) > 0.5:
    errors.append("attempts inside start_period %r" % gaps)
if healthy:
    h = healthy[0]
    if h["msg"] != "check flaky: healthy after 2 passes (up)":
        errors.append("healthy reason: " + h["msg"])
    # Two passes: the first after `up`, the second an interval later.
    if not up + 0.999 <= at(h) <= up + 1.0 + 1.5 * slow:
        errors.append("healthy %.3fs after up" % (at(h) - up))
    if unhealthy and at(h) < at(unhealthy[0]):
        errors.append("healthy before unhealthy")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY
pass "start_period, retries, rise; one line per state change"
