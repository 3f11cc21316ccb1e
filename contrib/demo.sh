#!/bin/bash
# contrib/demo.sh: the README's first command. Installs what is missing,
# builds hinit, starts PostgreSQL 15 and Redis 7 on spare ports, and runs
# hinit as PID 1 (a new PID namespace) supervising a sample app with HTTP,
# PostgreSQL and Redis checks; shows `hinit status` and /health, then stops
# it all with SIGTERM. As root, on Debian 12. --keep leaves it running.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
keep=no
[ "${1:-}" = --keep ] && keep=yes

bash "$top/contrib/deps.sh"
echo "demo: building hinit"
if [ ! -f "$top/_build/demo/Makefile" ]; then
	(cd "$top" && autoreconf -fi >/dev/null 2>&1)
	mkdir -p "$top/_build/demo"
	(cd "$top/_build/demo" && "$top/configure" -q >/dev/null)
fi
(cd "$top/_build/demo" && make -j2 -s >/dev/null 2>&1)
hinit=$top/_build/demo/hinit
export HINIT_MODULE_DIR=$top/_build/demo/checks/.libs

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
export DEMO_DIR=$(mktemp -d /tmp/hinit-demo.XXXXXX)
chmod 755 "$DEMO_DIR"
export DEMO_APP_PORT=$(port) DEMO_LISTEN_PORT=$(port) DEMO_PG_PORT=$(port) \
    DEMO_REDIS_PORT=$(port) DEMO_PG_PASSWORD=demo-$RANDOM$RANDOM
pg=/usr/lib/postgresql/15/bin

cleanup() {
	[ -n "${hinit_pid:-}" ] && kill -TERM "$hinit_pid" 2>/dev/null && wait "$unshare_pid" 2>/dev/null
	runuser -u postgres -- "$pg/pg_ctl" -D "$DEMO_DIR/pg/data" -m fast stop >/dev/null 2>&1 || true
	redis-cli -p "$DEMO_REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
	rm -rf "$DEMO_DIR"
}
[ $keep = no ] && trap cleanup EXIT

echo "demo: starting PostgreSQL on $DEMO_PG_PORT and Redis on $DEMO_REDIS_PORT"
mkdir "$DEMO_DIR/pg"
echo "$DEMO_PG_PASSWORD" > "$DEMO_DIR/pg/pw"
chown -R postgres "$DEMO_DIR/pg"
runuser -u postgres -- "$pg/initdb" -D "$DEMO_DIR/pg/data" -U demo -A md5 \
    --pwfile="$DEMO_DIR/pg/pw" >/dev/null
rm -f "$DEMO_DIR/pg/pw"
runuser -u postgres -- "$pg/pg_ctl" -D "$DEMO_DIR/pg/data" -w -l "$DEMO_DIR/pg/log" \
    -o "-p $DEMO_PG_PORT -k $DEMO_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
redis-server --port "$DEMO_REDIS_PORT" --bind 127.0.0.1 --save '' \
    --daemonize yes --logfile "$DEMO_DIR/redis.log" >/dev/null

echo "demo: hinit as PID 1 -> python3 contrib/demo/app.py (app on :$DEMO_APP_PORT, /health on :$DEMO_LISTEN_PORT)"
unshare --pid --fork --kill-child --mount-proc \
    "$hinit" -e 143 -c "$top/contrib/demo/hinit.ini" -- \
    python3 "$top/contrib/demo/app.py" "$DEMO_APP_PORT" &
unshare_pid=$!
# unshare ignores SIGTERM while it waits: signal hinit itself.
for _ in $(seq 100); do
	hinit_pid=$(pgrep -P "$unshare_pid" -x hinit) && break
	sleep 0.05
done

status() { "$hinit" status --status-file "$DEMO_DIR/status.json" "$@"; }
for _ in $(seq 150); do
	status >/dev/null 2>&1 && break
	sleep 0.2
done
echo
echo "\$ hinit status"
status || true
echo
echo "\$ curl -s http://127.0.0.1:$DEMO_LISTEN_PORT/health"
curl -s "http://127.0.0.1:$DEMO_LISTEN_PORT/health" > "$DEMO_DIR/health.json" || true
python3 -m json.tool "$DEMO_DIR/health.json" > "$DEMO_DIR/health.txt" || true
sed -n '1,40p' "$DEMO_DIR/health.txt"
echo "    ..."
echo
if [ $keep = yes ]; then
	echo "demo: left running (hinit pid $hinit_pid, files in $DEMO_DIR)"
	exit 0
fi
echo "demo: SIGTERM to hinit"
kill -TERM "$hinit_pid"
wait "$unshare_pid" && echo "demo: hinit exited with 0" || echo "demo: hinit exited with $?"
hinit_pid=
