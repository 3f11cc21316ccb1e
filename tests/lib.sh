# tests/lib.sh: what every scenario script shares. Source it first:
#	. "$top_srcdir/tests/lib.sh"
# A scenario is a bash script that exits 0 when the behaviour it is named
# after holds, and non-zero (through fail) otherwise. It never skips: CI
# installs everything a test needs, so a missing tool is a failure.

set -u

: "${HINIT:?run the tests through make check}"
: "${top_srcdir:?run the tests through make check}"

T=$(mktemp -d "${TMPDIR:-/tmp}/hinit-test.XXXXXX")
chmod 755 "$T"
_cleanups=()

# Run "$@" when the test ends, however it ends (last registered, first run).
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$T"
}
trap _run_cleanups EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
note() { echo "# $*"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}
# expect_match WHAT REGEX TEXT
expect_match() {
	[[ $3 =~ $2 ]] || fail "$1: '$3' does not match /$2/"
}
# expect_no_match WHAT REGEX TEXT
expect_no_match() {
	[[ $3 =~ $2 ]] && fail "$1: '$3' matches /$2/"
	return 0
}

# Whether $HINIT is the static build (musl, every check type linked in,
# libcurl and libpq built without what a container seldom has: FTP,
# Kerberos...); tests/static.am has the tests of that build alone.
static_build() { [ "${HINIT_BUILD:-}" = static ]; }

# Run hinit as PID 1 of a new PID namespace: pid1 [HINIT ARGS]...
pid1() {
	unshare --pid --fork --kill-child --mount-proc "$HINIT" "$@"
}

# A TCP port nobody listens on, from the kernel's ephemeral range.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# wait_for SECONDS COMMAND...: poll every 50ms until COMMAND succeeds.
wait_for() {
	local limit=$1 i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge $((limit * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# Start a PostgreSQL 15 server in $T/pg on a spare port; sets PG_PORT and
# PG_URL. Stopped when the test ends. pg_start [EXTRA POSTGRES OPTIONS]
PG_BIN=/usr/lib/postgresql/15/bin
pg_start() {
	PG_PORT=$(free_port)
	PG_DIR=$T/pg
	mkdir -p "$PG_DIR"
	chown postgres "$PG_DIR"
	if [ ! -f "$PG_DIR/data/PG_VERSION" ]; then
		# The postgres user cannot open root's /dev/fd: a real file.
		(umask 077; echo secret >"$PG_DIR/pwfile")
		chown postgres "$PG_DIR/pwfile"
		runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" \
		    -A md5 --pwfile="$PG_DIR/pwfile" -U hinit >/dev/null ||
		    fail "initdb"
		rm -f "$PG_DIR/pwfile"
	fi
	pg_ctl_start "$@"
	on_exit pg_stop
	PG_URL="postgres://hinit:secret@127.0.0.1:$PG_PORT/postgres"
}
pg_ctl_start() {
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" \
	    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off $*" \
	    start >/dev/null || { cat "$PG_DIR/log" >&2; fail "pg_ctl start"; }
}
pg_stop() {
	runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate \
	    stop >/dev/null 2>&1 || true
}

# Start a Redis 7 server on a spare port; sets REDIS_PORT. redis_start [ARGS]
redis_start() {
	REDIS_PORT=$(free_port)
	redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
	    --appendonly no --daemonize yes --pidfile "$T/redis-$REDIS_PORT.pid" \
	    --logfile "$T/redis-$REDIS_PORT.log" --dir "$T" "$@" ||
	    fail "redis-server"
	on_exit "kill \$(cat $T/redis-$REDIS_PORT.pid)"
	wait_for 5 redis-cli -p "$REDIS_PORT" ${REDIS_CLI_AUTH:-} ping ||
	    fail "redis did not start"
}

# A TCP server on a spare port that accepts every connection and never says
# a word; sets SILENT_PORT. Stopped when the test ends.
silent_start() {
	SILENT_PORT=$(free_port)
	timeout 120 python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(16)
held = []
while True:
    held.append(s.accept()[0])
' "$SILENT_PORT" &
	on_exit "kill $!"
	wait_for 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SILENT_PORT" ||
	    fail "silent server"
}

# Inside a test's own network and mount namespaces (unshare --net --mount):
# bring loopback up and make a DNS server that never answers, on
# 127.0.0.1:53, the only one in /etc/resolv.conf.
silent_dns_start() {
	ip link set lo up || fail "ip link set lo up"
	python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
print("ready", flush=True)
while True:
    s.recvfrom(4096)
' >"$T/dns.out" &
	on_exit "kill $!"
	wait_for 5 grep -q ready "$T/dns.out" ||
	    fail "silent DNS server did not start"
	printf 'nameserver 127.0.0.1\noptions timeout:5 attempts:2\n' \
	    >"$T/resolv.conf"
	mount --bind "$T/resolv.conf" /etc/resolv.conf ||
	    fail "mount resolv.conf"
}
