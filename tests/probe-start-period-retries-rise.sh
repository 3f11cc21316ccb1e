#!/bin/bash
# In init mode: failures inside start_period are not counted (and come every
# start_interval), `retries` counted failures make the check unhealthy,
# `rise` passes in a row make it healthy again; each state change is logged
# once, with its reason.
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[check:flaky]
command = date +%s.%N >> $T/attempts; test -f $T/up && echo up
interval = 250ms
timeout = 1s
retries = 2
rise = 2
start_period = 1s
start_interval = 100ms
INI

t0=$(date +%s.%N)
( sleep 2.6; touch "$T/up"; date +%s.%N >"$T/up-at" ) &
timeout 20 "$HINIT" -c "$T/hinit.ini" --log-format json -- sleep 4 2>"$T/log"
expect_eq "app exit code" 0 $?
wait

python3 - "$T" "$t0" <<'PY' || fail "$(cat "$T/log")"
import json, sys, datetime
T, t0 = sys.argv[1], float(sys.argv[2])
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
    # Not counted before 1s; then 2 failures 250ms apart.
    if not 1.0 <= at(u) - t0 <= 2.0:
        errors.append("unhealthy at %.3fs" % (at(u) - t0))
inside = [a for a in attempts if a - t0 < 0.95]
if len(inside) < 5:
    errors.append("only %d attempts inside start_period (start_interval 100ms)"
        % len(inside))
if healthy:
    h = healthy[0]
    if h["msg"] != "check flaky: healthy after 2 passes (up)":
        errors.append("healthy reason: " + h["msg"])
    # Two passes: the first after `up`, the second an interval later.
    if not up + 0.2 <= at(h) <= up + 0.9:
        errors.append("healthy %.3fs after up" % (at(h) - up))
    if unhealthy and at(h) < at(unhealthy[0]):
        errors.append("healthy before unhealthy")
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY
pass "start_period, retries, rise; one line per state change"
