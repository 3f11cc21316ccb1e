#!/bin/bash
# Many checks do not fire at once: check i of n first runs at
# i * interval / n, the first at once; and a timeout ends an attempt no
# sooner than it says, and soon after, in init mode. The plan is read from
# hinit's debug lines (when each first attempt ran and how late it was
# against its plan), so a busy machine moves the attempts, not the plan.
. "$top_srcdir/tests/lib.sh"

# The first of five checks runs at once: the timeout test.
cat >>"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:hang]
command = exec sleep 60
interval = 5s
timeout = 300ms
retries = 1
INI
for i in 0 1 2 3; do
	cat >>"$T/hinit.ini" <<INI
[check:c$i]
command = true
interval = 2s
INI
done

# The app ends once c3 made its first attempt and hang timed out.
timeout "$(slow 60)" "$HINIT" -vv -c "$T/hinit.ini" --log-format json -- \
    wait-for 20 sh -c "grep -q 'check c3: attempt 1 ' $T/log &&
    grep -q 'check hang: unhealthy' $T/log" 2>"$T/log"
expect_eq "app exit code" 0 $?

python3 - "$T" <<'PY' || fail "$(cat "$T/log")"
import json, os, re, sys, datetime
T = sys.argv[1]
slow = int(os.environ["TEST_SLOW"])
def at(l):
    return datetime.datetime.strptime(l["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
lines = [json.loads(l) for l in open(T + "/log") if l.startswith("{")]
planned, errors = {}, []
for l in lines:
    m = re.match(r"check (\S+): attempt 1 \((-?[0-9.]+)ms late\)$", l["msg"])
    if m:
        planned[m.group(1)] = at(l) - float(m.group(2)) / 1000
# Five checks: check i of 5 at i * 2000 / 5 = 400ms steps; hang is 0,
# c0..c3 are 1..4.
for i in range(4):
    off = (planned["c%d" % i] - planned["hang"]) * 1000
    if abs(off - (i + 1) * 400) > 10 + 20 * slow:
        errors.append("c%d planned %.0fms after hang, not %dms" % (i, off, (i + 1) * 400))
hang = [l for l in lines if l["msg"].startswith("check hang: unhealthy")]
if len(hang) != 1 or hang[0]["msg"] != \
        "check hang: unhealthy after 1 failure: timed out after 300ms":
    errors.append("hang lines: %r" % hang)
took = [float(m.group(1)) for m in (re.match(
    r"check hang: attempt 1: timeout in ([0-9.]+)ms:", l["msg"]) for l in lines) if m]
if len(took) != 1 or not 300 <= took[0] <= 300 + 100 * slow:
    errors.append("the timed-out attempt took %r ms, not 300" % took)
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY
pass "first attempts spread; timeout on time"
