#!/bin/bash
# The real Next.js server crashing (its port is taken: EADDRINUSE, exit 1)
# under contrib/nextjs/hinit.ini (restart = on-failure, restart_delay = 1s,
# doubled): hinit restarts it after 1s, 2s, 4s, counts the restarts, and
# reports it "restarting" with /health 503 meanwhile. Once the port is free
# the next start serves and /health turns healthy. The delays are timed
# from each crash (the app's last stamp) to the next start: how long
# Next.js takes to load and crash depends on the machine.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e-lib.sh"

nextjs_build
pg_start
redis_start
app_port=$(free_port)
hport=$(free_port)
export PORT=$app_port HOSTNAME=127.0.0.1 NEXT_TELEMETRY_DISABLED=1
export DATABASE_URL=$PG_URL REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0

# Someone else holds the app's port.
python3 -c '
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
open(sys.argv[2], "w").close()
while True:
    time.sleep(1)
' "$app_port" "$T/squatting" &
squatter=$!
on_exit "kill $squatter"
wait_for 10 test -e "$T/squatting" || fail "could not take the port"

health() { curl -s --max-time "$(slow 5)" "http://127.0.0.1:$hport/health"; }
field() {
	health | python3 -c 'import json, sys; d = json.load(sys.stdin); print('"$1"')' 2>/dev/null
}
is_state() { [ "$(field 'd["hinit:state"]')" = "$1" ]; }
starts() { wc -l <"$T/starts" 2>/dev/null || echo 0; }
gone() { ! kill -0 "$1" 2>/dev/null; }

cd "$E2E_SRC" || fail "cd $E2E_SRC"
unshare --pid --fork --kill-child --mount-proc "$HINIT" -e 143 \
    --listen "127.0.0.1:$hport" --status-file "$T/status.json" --drain 0 \
    -c hinit.ini -- sh -c "date +%s.%N >>$T/starts; node $NEXT_DIR/server.js
    rc=\$?; date +%s.%N >>$T/ends; exit \$rc" \
    >"$T/log" 2>&1 &
upid=$!
on_exit "kill -9 $upid"
hpid=$(hinit_pid $upid) || fail "hinit did not start"
cd "$T" || fail "cd $T"

wait_for 60 sh -c "[ \$(wc -l <$T/starts 2>/dev/null || echo 0) -ge 4 ]" ||
    fail "4 starts expected: $(cat "$T/log")"
# Between the 4th start's crash and the 5th (8s later): restarting, 503.
wait_for 20 sh -c "grep -c 'restarting sh in' $T/log | grep -qx 4" ||
    fail "no 4th restart line: $(cat "$T/log")"
expect_eq "app state in the back-off" restarting "$(field 'd["hinit:app"]["state"]')"
expect_eq "restarts counted" 3 "$(field 'd["hinit:app"]["restarts"]')"
expect_eq "/health in the back-off" 503 \
    "$(http_code "http://127.0.0.1:$hport/health")"
expect_eq "metric" 3 "$(curl -s --max-time "$(slow 5)" "http://127.0.0.1:$hport/metrics" |
    sed -n 's/^hinit_app_restarts_total //p')"
grep -c "exited with 1" "$T/log" | grep -qx 4 || fail "Next.js did not exit 1: $(cat "$T/log")"
expect_eq "delays said" "1s 2s 4s 8s" \
    "$(sed -n 's/.*restarting sh in \(.*\)$/\1/p' "$T/log" | tr '\n' ' ' | sed 's/ $//')"
python3 - "$T/starts" "$T/ends" <<'PY' || fail "delays between crash and start"
import os, sys
slow = int(os.environ["TEST_SLOW"])
starts = [float(l) for l in open(sys.argv[1])]
ends = [float(l) for l in open(sys.argv[2])]
gaps = [b - a for a, b in zip(ends, starts[1:])]
print("# from a crash to the next start: " +
      ", ".join("%.2fs" % g for g in gaps))
for g, delay in zip(gaps, [1, 2, 4]):
    # Never shorter than the delay; longer by what a fork and exec take.
    if not delay <= g < delay + 0.5 * slow:
        print("%.2fs for a %ds delay" % (g, delay))
        sys.exit(1)
PY
pass "Next.js crashing: restarted after 1s, 2s, 4s, counted, 503 meanwhile"

# Free the port: the 5th start serves.
kill $squatter
wait_for 30 is_state healthy || fail "never healthy after the port was freed: $(health)"
expect_eq "restarts" 4 "$(field 'd["hinit:app"]["restarts"]')"
expect_eq "the app answers" 200 "$(http_code "http://127.0.0.1:$app_port/api/health")"
pass "the next start serves: healthy"
kill -TERM $hpid
wait_for 30 gone $upid || fail "hinit did not exit"
wait $upid
expect_eq "exit code with -e 143" 0 "$?"
