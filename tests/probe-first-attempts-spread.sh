#!/bin/bash
# Many checks do not fire at once: check i of n first runs at
# i * interval / n, the first at once; and a timeout is enforced to within
# 50ms in init mode.
. "$top_srcdir/tests/lib.sh"

# The first of five checks runs at once: the timeout test.
cat >>"$T/hinit.ini" <<INI
[check:hang]
command = date +%s%N >> $T/hang-start; exec sleep 10
interval = 5s
timeout = 300ms
retries = 1
INI
for i in 0 1 2 3; do
	cat >>"$T/hinit.ini" <<INI
[check:c$i]
command = date +%s%N >> $T/first-$i
interval = 800ms
INI
done

timeout 20 "$HINIT" -c "$T/hinit.ini" --log-format json -- sleep 1.2 2>"$T/log"
expect_eq "app exit code" 0 $?

python3 - "$T" <<'PY' || fail "$(cat "$T/log")"
import json, sys, datetime
T = sys.argv[1]
first = [int(open("%s/first-%d" % (T, i)).readline()) / 1e9 for i in range(4)]
errors = []
# Five checks: check i of 5 at i * 800 / 5 = 160ms steps; c0..c3 are 1..4.
for i in range(1, 4):
    off = (first[i] - first[0]) * 1000
    if abs(off - i * 160) > 50:
        errors.append("c%d first ran %.0fms after c0, not %dms" % (i, off, i * 160))
lines = [json.loads(l) for l in open(T + "/log") if l.startswith("{")]
hang = [l for l in lines if l["msg"].startswith("check hang: unhealthy")]
if len(hang) != 1 or hang[0]["msg"] != \
        "check hang: unhealthy after 1 failure: timed out after 300ms":
    errors.append("hang lines: %r" % hang)
else:
    t = datetime.datetime.strptime(hang[0]["time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()
    start = int(open(T + "/hang-start").readline()) / 1e9
    took = (t - start) * 1000
    if not 250 <= took <= 350:
        errors.append("timeout took %.0fms, not 300ms" % took)
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY
pass "first attempts spread; timeout within 50ms"
