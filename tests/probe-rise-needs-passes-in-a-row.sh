#!/bin/bash
# rise counts passes in a row, inside start_period too: a failure there is
# not counted against the check, but it starts the run of passes again.
# With rise = 3, fail pass fail pass fail pass never makes the check
# healthy; three passes after that do, as PID 1.
. "$top_srcdir/tests/lib.sh"

# Attempt n: 1, 3, 5 fail; 2, 4, 6 pass; from 7 on, pass: 6, 7, 8 are the
# first three passes in a row.
cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:flaky]
command = echo x >>$T/n; n=\$(wc -l <$T/n); [ \$n -ge 7 ] || [ \$((n % 2)) -eq 0 ]
interval = 100ms
start_period = 1m
start_interval = 100ms
rise = 3
retries = 1
INI
timeout 30 unshare --pid --fork --kill-child --mount-proc "$HINIT" -vv \
    -c "$T/hinit.ini" -- sh -c "while [ \$(wc -l <$T/n 2>/dev/null || echo 0) -lt 12 ]; do sleep 0.05; done" \
    2>"$T/log"
expect_eq "app exit code" 0 "$?"

# The results in the order logged, and when the state changed.
seq=$(sed -n 's/^hinit: check flaky: attempt \([0-9]*\): \(pass\|fail\) .*/\1\2/p;
    s/^hinit: check flaky: \(healthy\|unhealthy\).*/[\1]/p' "$T/log" | tr '\n' ' ')
note "$seq"
expect_match "healthy after the 8th attempt, and only then" \
    "^1fail 2pass 3fail 4pass 5fail 6pass 7pass 8pass \[healthy\] 9pass" "$seq"
grep -q "check flaky: healthy after 3 passes" "$T/log" ||
    fail "no 'healthy after 3 passes': $(grep 'flaky: [hu]' "$T/log")"
pass "rise = 3: alternating results inside start_period never make it healthy"
