#!/bin/bash
# ${file:PATH} reads a secret from a file (Docker and Kubernetes secrets
# under /run/secrets, as links too), its trailing line break taken off, and
# treats it as every secret: used where it is written (a PostgreSQL and a
# Redis password, a command), shown as *** wherever an output would show
# it, echoed back by a server or printed by a command or a task, and never
# in a command line (ps, as another user). The app does not get the
# variables that hand it to commands. A missing, unreadable or odd file is
# a config error naming the file, never its content. As PID 1.
. "$top_srcdir/tests/lib.sh"

pg_start
redis_start --requirepass 'Rf9-from-FiLe-Sec'
port=$(free_port)
S=$T/secrets
mkdir -p "$S/..data"
# A Kubernetes volume: the name is a link into ..data.
printf 'Pg8-from-FiLe-Sec\n' >"$S/..data/db_password"
ln -s ..data/db_password "$S/db_password"
printf 'Rf9-from-FiLe-Sec\r\n' >"$S/redis_password"
printf 'Tk3-task-FiLe-Sec\n\n' >"$S/token"
chmod 600 "$S/..data/db_password" "$S/redis_password" "$S/token"
psql -q "$PG_URL" -c "CREATE ROLE filer LOGIN PASSWORD 'Pg8-from-FiLe-Sec'" ||
    fail "create role"

cat >"$T/hinit.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
[check:db]
url = postgres://filer:\${file:$S/db_password}@127.0.0.1:$PG_PORT/postgres
query = SELECT 1
interval = 200ms
[check:cache]
url = redis://:\${file:$S/redis_password}@127.0.0.1:$REDIS_PORT/0
interval = 200ms
[check:cmd]
command = echo "got \${file:$S/token}"; test "\${file:$S/token}" = "\$(cat $S/token)"; sleep 0.3
interval = 200ms
[task:echo]
command = echo "task sees \${file:$S/token}"
INI

unshare --pid --fork --kill-child --mount-proc "$HINIT" -v -c "$T/hinit.ini" \
    --status-file "$T/status.json" -- \
    sh -c "env >$T/appenv; exec sleep 1000" 2>"$T/err" &
upid=$!
on_exit "kill -9 $upid"
healthy() {
	$PYTHON -c '
import json, sys
d = json.load(open(sys.argv[1]))["checks"]
s = {k.split(":")[0]: v[0]["hinit:state"] for k, v in d.items()}
sys.exit(0 if s == {"db": "healthy", "cache": "healthy", "cmd": "healthy"}
    else 1)' "$T/status.json" 2>/dev/null
}
wait_for 30 healthy || fail "not healthy: $(cat "$T/status.json" "$T/err")"
pass "the files' values are used: PostgreSQL and Redis log in, the command compares"

# While the command runs: not in any command line, read as nobody.
# One snapshot, as nobody, that caught the command running.
seen_running() {
	runuser -u nobody -- ps -eo args >"$T/ps" 2>&1
	grep -q '^sh -c echo "got' "$T/ps"
}
wait_for 10 seen_running || fail "the command was never seen running"
grep -q 'HINIT_FILE' "$T/ps" || fail "the command does not name its variable: $(grep got "$T/ps")"
grep -q "FiLe-Sec" "$T/ps" && fail "a secret in ps: $(grep FiLe-Sec "$T/ps")"
grep -q "^HINIT_FILE" "$T/appenv" && fail "the app got the variables: $(grep HINIT_FILE "$T/appenv")"
pass "no secret in ps; the app does not get the variables"

{
	cat "$T/status.json"
	timeout 5 "$HINIT" status --json --status-file "$T/status.json"
	curl -s "http://127.0.0.1:$port/health"
	curl -s "http://127.0.0.1:$port/metrics"
	timeout 10 "$HINIT" -t -c "$T/hinit.ini"
	timeout 10 "$HINIT" check "redis://:\${file:$S/redis_password}@127.0.0.1:$REDIS_PORT/0"
	timeout 10 "$HINIT" wait --timeout 5s "postgres://filer:\${file:$S/db_password}@127.0.0.1:$PG_PORT/postgres"
	cat "$T/err"
} >"$T/outputs" 2>&1
grep -qF 'got ***' "$T/outputs" || fail "the command's output is not scrubbed: $(grep got "$T/outputs")"
grep -qF 'echo: task sees ***' "$T/outputs" || fail "the task's line is not scrubbed"
grep -qF "\${file:$S/db_password}" "$T/outputs" || fail "-t does not show the value as written"
if grep -n "FiLe-Sec" "$T/outputs"; then
	fail "a secret from a file is shown"
fi
pass "status, /health, /metrics, the log, -t, check and wait never show it"

# A server that echoes it: Redis with AUTH renamed away.
redis_start --rename-command AUTH ''
timeout 10 "$HINIT" check "redis://:\${file:$S/redis_password}@127.0.0.1:$REDIS_PORT/0" \
    >"$T/echo" 2>&1
grep -qF "beginning with: '***'" "$T/echo" || fail "no scrubbed echo: $(cat "$T/echo")"
grep -q "FiLe-Sec" "$T/echo" && fail "the echo shows the secret: $(cat "$T/echo")"
pass "a server echoing it is scrubbed"

# Errors name the file, never what it holds.
printf 'not a url FiLe-Sec-xyz\n' >"$S/bad"
mkfifo "$S/fifo"
for case in "missing:$S/none:No such file" "directory:$S:not a regular file" \
    "fifo:$S/fifo:not a regular file" "relative:secrets/x:must be absolute" \
    "bad-url:$S/bad:is not a URL"; do
	IFS=: read -r what path why <<<"$case"
	printf '[check:x]\nurl = ${file:%s}\n' "$path" >"$T/bad.ini"
	out=$(timeout 10 "$HINIT" -t -c "$T/bad.ini" 2>&1)
	expect_eq "$what: exit code" 2 "$?"
	expect_match "$what: error" "$why" "$out"
	expect_no_match "$what: content" "FiLe-Sec" "$out"
done
printf '[check:x]\nurl = ${file:%s}\n' "$S/none" >"$T/bad.ini"
expect_match "the error names the file" "\\\$\\{file:$S/none\\}: No such file" \
    "$(timeout 10 "$HINIT" -t -c "$T/bad.ini" 2>&1)"
pass "missing, odd or bad files are errors naming the file, never its content"
