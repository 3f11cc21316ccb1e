#!/bin/bash
# The real stack end to end, with contrib/nextjs/hinit.ini as the examples
# use it: hinit as PID 1 in front of a Next.js standalone server, PostgreSQL
# 15 and Redis 7. The migration waits for PostgreSQL and the app starts only
# after it; /health goes starting -> healthy; PostgreSQL down makes /health
# 503 (db is a ready check) while the app keeps running; up again, healthy;
# SIGTERM gives 503 at once, the app gets SIGTERM after the drain, Next.js
# exits 143 and hinit, with -e 143, exits 0. No secret in any output.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/e2e-lib.sh"

nextjs_build
pg_start
pg_stop			# initialised, port chosen, down: the gate must hold
redis_start
app_port=$(free_port)
hport=$(free_port)
file=$T/status.json
export PORT=$app_port HOSTNAME=127.0.0.1 NEXT_TELEMETRY_DISABLED=1
export DATABASE_URL=$PG_URL REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0

health() { curl -s --max-time "$(slow 5)" "http://127.0.0.1:$hport/health"; }
field() {	# field PYTHON-EXPR: from the /health document
	health | python3 -c 'import json, sys; d = json.load(sys.stdin); print('"$1"')' 2>/dev/null
}
is_state() { [ "$(field 'd["hinit:state"]')" = "$1" ]; }
check_state() { field 'd["checks"]["'"$1"':responseTime"][0]["hinit:state"]'; }
gone() { ! kill -0 "$1" 2>/dev/null; }

# From the app's directory, as the image's WORKDIR: the task's db/migrate.sql.
cd "$E2E_SRC" || fail "cd $E2E_SRC"
drain=$(slow 4)
unshare --pid --fork --kill-child --mount-proc "$HINIT" -e 143 \
    --listen "127.0.0.1:$hport" --status-file "$file" --drain "${drain}s" \
    -c hinit.ini -- node "$NEXT_DIR/server.js" >"$T/log" 2>&1 &
upid=$!
on_exit "kill -9 $upid"
hpid=$(hinit_pid $upid) || fail "hinit did not start: $(cat "$T/log")"
cd "$T" || fail "cd $T"

# 1. PostgreSQL is down: the migration and the app wait, /health 503, also
# once the db check has failed.
wait_for 20 is_state starting || fail "not starting: $(health)"
db_tried() { [ "$(field 'len(d["checks"]["db:responseTime"][0]["hinit:log"])')" -ge 1 ]; }
wait_for 20 db_tried || fail "no attempt of db: $(health)"
expect_eq "app while the database is down" waiting "$(field 'd["hinit:app"]["state"]')"
expect_eq "/health while waiting" 503 "$(http_code "http://127.0.0.1:$hport/health")"
grep -q "waiting for db" "$T/log" || fail "no 'waiting for db': $(cat "$T/log")"
grep -q "task migrate: running" "$T/log" && fail "the migration ran before PostgreSQL was up"
pass "PostgreSQL down: the migration and the app wait, /health 503"

# 2. PostgreSQL up: migrate, then the app; starting -> healthy.
pg_ctl_start
: >"$T/states"
seen_healthy() {
	local s
	s=$(field 'd["hinit:state"]')
	[ -n "$s" ] && [ "$(tail -n 1 "$T/states")" != "$s" ] && echo "$s" >>"$T/states"
	[ "$s" = healthy ]
}
wait_for 90 seen_healthy || fail "never healthy: $(health); $(cat "$T/log")"
note "states seen: $(tr '\n' ' ' <"$T/states")"
expect_eq "states after PostgreSQL came up" "starting
healthy" "$(cat "$T/states")"
expect_eq "the migration's table" 0 \
    "$(psql "$PG_URL" -tAc 'SELECT count(*) FROM visits' 2>&1)"
db=$(grep -n 'check db: healthy' "$T/log" | head -1 | cut -d: -f1)
mig=$(grep -n 'task migrate: running' "$T/log" | cut -d: -f1)
done_=$(grep -n 'task migrate: exited with 0' "$T/log" | cut -d: -f1)
next=$(grep -n 'Next.js' "$T/log" | head -1 | cut -d: -f1)
[ -n "$db" ] && [ -n "$mig" ] && [ -n "$done_" ] && [ -n "$next" ] ||
    fail "missing log lines: $(cat "$T/log")"
[ "$db" -lt "$mig" ] && [ "$mig" -lt "$done_" ] && [ "$done_" -lt "$next" ] ||
    fail "order: db healthy $db, migrate $mig..$done_, Next.js $next: $(cat "$T/log")"
expect_eq "the app's own health" 200 "$(http_code "http://127.0.0.1:$app_port/api/health")"
expect_eq "the app's page" 200 "$(http_code "http://127.0.0.1:$app_port/")"
timeout 5 "$HINIT" status --status-file "$file" >"$T/status-out"
expect_eq "hinit status when healthy" 0 "$?"
app_pid=$(field 'd["hinit:app"]["pid"]')
pass "db healthy -> migrate -> Next.js; /health starting -> healthy"

# 3. PostgreSQL down: ready check unhealthy, 503, the app keeps running.
pg_stop
wait_for 60 is_state unhealthy || fail "not unhealthy without PostgreSQL: $(health)"
expect_eq "db check" unhealthy "$(check_state db)"
expect_eq "/health without PostgreSQL" 503 "$(http_code "http://127.0.0.1:$hport/health")"
expect_eq "/health/live without PostgreSQL" 200 "$(http_code "http://127.0.0.1:$hport/health/live")"
timeout 5 "$HINIT" status --status-file "$file" >/dev/null
expect_eq "hinit status without PostgreSQL" 1 "$?"
timeout 5 "$HINIT" status --live --status-file "$file" >/dev/null
expect_eq "hinit status --live without PostgreSQL" 0 "$?"
expect_eq "the app still runs" "$app_pid" "$(field 'd["hinit:app"]["pid"]')"
expect_eq "no restart" 0 "$(field 'd["hinit:app"]["restarts"]')"
expect_eq "the app still answers" 200 "$(http_code "http://127.0.0.1:$app_port/api/health")"
pass "PostgreSQL down: /health 503, live 200, the app untouched"

# 4. PostgreSQL back: healthy again.
pg_ctl_start
wait_for 60 is_state healthy || fail "not healthy again: $(health)"
expect_eq "/health with PostgreSQL back" 200 "$(http_code "http://127.0.0.1:$hport/health")"
pass "PostgreSQL back: healthy"

for w in secret "$PG_URL"; do
	grep -qF -- "$w" "$T/log" && fail "a secret in hinit's output: $(grep -F -- "$w" "$T/log")"
	health | grep -qF -- "$w" && fail "a secret in /health"
done
pass "no secret in the log or /health"

# 5. SIGTERM: 503 at once, the app serves through the drain, then stops.
python3 - "$hpid" "$hport" "$app_port" "$drain" >"$T/measure" <<'PY' || fail "drain: $(cat "$T/measure")"
import http.client, os, signal, sys, time
pid, hport, aport, drain = (int(a) for a in sys.argv[1:5])
slow = int(os.environ["TEST_SLOW"])
def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2 * slow)
    c.request("GET", path)
    r = c.getresponse()
    r.read()
    c.close()
    return r.status
t0 = time.time()
os.kill(pid, signal.SIGTERM)
while get(hport, "/health") != 503:
    if time.time() - t0 > drain / 2:
        print("no 503"); sys.exit(1)
ms = (time.time() - t0) * 1000
time.sleep(max(0, t0 + drain / 2 - time.time()))
app = get(aport, "/api/health")	# half way through the drain
print("%.1f %d" % (ms, app))
PY
read -r ms app <"$T/measure"
note "503 ${ms}ms after SIGTERM"
python3 -c "import sys; sys.exit(not $ms < 1000 * $TEST_SLOW)" || fail "503 after ${ms}ms"
expect_eq "the app during the drain" 200 "$app"
wait_for 30 gone $upid || fail "hinit did not exit"
wait $upid
expect_eq "exit code with -e 143" 0 "$?"
grep -q "node (pid [0-9]*) exited with 143" "$T/log" ||
    fail "Next.js did not exit 143 on SIGTERM: $(tail -n 5 "$T/log")"
pass "SIGTERM: 503 in ${ms}ms, the app served through the drain, exit 143 -> 0"
