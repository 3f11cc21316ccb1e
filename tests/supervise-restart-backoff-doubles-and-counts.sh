#!/bin/bash
# restart = on-failure: a crashing app is restarted after restart_delay,
# doubled each time and capped by restart_delay_max, back to restart_delay
# after a stable run (10s); each restart is counted in hinit:app.restarts and
# hinit_app_restarts_total. An exit 0 is not restarted; restart = always
# restarts it; restart = no passes the code on.
. "$top_srcdir/tests/lib.sh"

hport=$(free_port)
cat >"$T/hinit.ini" <<INI
[hinit]
restart = on-failure
restart_delay = 200ms
restart_delay_max = 800ms
listen = 127.0.0.1:$hport
status_file = $T/status.json
INI
# Runs 1-4 and 6 crash at once, run 5 crashes after a stable 10.5s, run 7
# stays up.
cat >"$T/app.sh" <<SH
date +%s.%N >>$T/starts
n=\$(wc -l <$T/starts)
case \$n in
5) sleep 10.5; exit 3 ;;
7) exec sleep 1000 ;;
*) exit 3 ;;
esac
SH
timeout "$(slow 90)" "$HINIT" -e 143 -c "$T/hinit.ini" -- sh "$T/app.sh" 2>"$T/err" &
pid=$!
on_exit "kill -TERM $pid"
wait_for 40 sh -c "[ \$(wc -l <$T/starts) -ge 7 ]" || fail "7 starts expected: $(cat "$T/starts")"

python3 - "$T/starts" <<'PY' || fail "back-off: $(cat "$T/err")"
import os, sys
slow = int(os.environ["TEST_SLOW"])
t = [float(l) for l in open(sys.argv[1])]
# The gap before start i+1 follows run i; runs are instant but the 5th.
# A start's stamp comes after its fork: a gap is never below the delay.
gaps = [t[1] - t[0], t[2] - t[1], t[3] - t[2], t[4] - t[3],
        t[5] - t[4] - 10.5, t[6] - t[5]]
want = [0.2, 0.4, 0.8, 0.8, 0.2, 0.4]
print("# gaps: " + ", ".join("%.3f" % g for g in gaps))
for g, w in zip(gaps, want):
    if not (w * 0.95 <= g < w + 0.6 * slow):
        print("gap %.3f, expected %.1f" % (g, w))
        sys.exit(1)
PY
pass "delays 200ms, 400ms, 800ms, 800ms (cap), 200ms after a stable run, 400ms"

doc=$(curl -s --max-time "$(slow 5)" "http://127.0.0.1:$hport/health")
restarts=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])["hinit:app"]["restarts"])' "$doc")
expect_eq "hinit:app.restarts" 6 "$restarts"
metric=$(curl -s --max-time "$(slow 5)" "http://127.0.0.1:$hport/metrics" | sed -n 's/^hinit_app_restarts_total //p')
expect_eq "hinit_app_restarts_total" 6 "$metric"
expect_eq "restart lines" 6 "$(grep -c 'restarting sh in' "$T/err")"
kill -TERM $pid
wait $pid
expect_eq "exit code with -e 143" 0 "$?"
pass "restarts counted in the document and the metrics"

# on-failure: exit 0 ends hinit with 0; always: exit 0 restarts too.
: >"$T/starts"
timeout "$(slow 20)" "$HINIT" -c "$T/hinit.ini" -- sh -c "echo x >>$T/starts; exit 0" 2>/dev/null
expect_eq "on-failure, exit 0: exit code" 0 "$?"
expect_eq "on-failure, exit 0: one start" 1 "$(wc -l <"$T/starts")"
sed -i 's/^restart = on-failure/restart = always/' "$T/hinit.ini"
timeout "$(slow 20)" "$HINIT" -c "$T/hinit.ini" -- sh -c "echo x >>$T/starts; [ \$(wc -l <$T/starts) -lt 4 ] || exec sleep 1000; exit 0" 2>/dev/null &
pid=$!
on_exit "kill -TERM $pid"
wait_for 10 sh -c "[ \$(wc -l <$T/starts) -ge 4 ]" || fail "always: exit 0 was not restarted"
kill -TERM $pid
wait $pid
pass "on-failure leaves exit 0 alone, always restarts it"
sed -i 's/^restart = always/restart = no/' "$T/hinit.ini"
: >"$T/starts"
timeout "$(slow 20)" "$HINIT" -c "$T/hinit.ini" -- sh -c "echo x >>$T/starts; exit 5" 2>/dev/null
expect_eq "restart = no: the app's code" 5 "$?"
expect_eq "restart = no: one start" 1 "$(wc -l <"$T/starts")"
pass "restart = no: exit with the app's code"
