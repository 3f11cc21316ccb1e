#!/bin/bash
# Attempts of one check never overlap, and the next begins `interval` after
# the previous one ended, however long the attempt took.
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:slow]
command = echo "s \$(date +%s%N)" >> $T/stamps; sleep 0.3; echo "e \$(date +%s%N)" >> $T/stamps
interval = 100ms
timeout = 10s
INI

# The app ends once four attempts are over.
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -- \
    wait-for 20 sh -c "[ \$(wc -l <$T/stamps) -ge 8 ]" 2>"$T/log"
expect_eq "app exit code" 0 $?

# An attempt's "e" stamp is taken before it ends, the next "s" after it
# starts: a gap is never shorter than the interval; it is longer on a
# busy machine.
python3 - "$T/stamps" <<'PY' || fail "stamps: $(cat "$T/stamps")"
import os, sys
slow = int(os.environ["TEST_SLOW"])
rows = [l.split() for l in open(sys.argv[1])]
errors = []
if len(rows) < 8:
    errors.append("only %d stamps" % len(rows))
for i, (kind, _) in enumerate(rows):
    # A run killed at the end may leave a last "s" alone.
    if kind != "se"[i % 2]:
        errors.append("attempts overlap at row %d: %s" % (i, rows))
        break
for i in range(1, len(rows) - 1, 2):
    end, start = int(rows[i][1]), int(rows[i + 1][1])
    gap = (start - end) / 1e6
    if not 100 <= gap <= 100 + 200 * slow:
        errors.append("gap from an end to the next start: %.1fms" % gap)
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
PY
pass "attempts never overlap; interval counted from the end"
