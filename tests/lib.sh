# tests/lib.sh: what every scenario script shares. Source it first:
#	. "$top_srcdir/tests/lib.sh"
# A scenario is a bash script that exits 0 when the behaviour it is named
# after holds, and non-zero (through fail) otherwise. It never skips: CI
# installs everything a test needs, so a missing tool is a failure.
#
# It must pass on a busy machine (a laptop, a shared CI runner,
# tests/under-load.sh), so:
# - Wait for conditions, never for time: `wait_for SECONDS COMMAND...`
#   polls until COMMAND succeeds. A server is ready when it answers, hinit
#   when its status file, endpoint or log says so. An app or task that must
#   outlast a step waits for that step too (`wait-for`, on PATH, is
#   wait_for as a command), or is `sleep 1000` stopped by the test: never a
#   fixed lifetime that a slow step could outlast.
# - Every time limit is what a quiet machine needs, scaled by TEST_SLOW
#   (an integer, default 1; tests/ci.sh and under-load.sh raise it, an
#   AddressSanitizer build doubles it): wait_for and wait-for scale their
#   own, `$(slow N)` scales any other, Python reads TEST_SLOW from the
#   environment. Where a time is the behaviour under test (a timeout, a
#   drain), the lower bound is exact, the upper one scaled and still far
#   from what the broken behaviour gives.
# - python3 is $PYTHON (/usr/bin/python3), for the test and all it starts:
#   the pyenv shim first on PATH costs 0.5s a call. Many requests: one
#   client process, not one per request.
# - A failing test prints what to diagnose it by: the files in $T and its
#   subdirectories (hinit's log and status file, servers' logs, configs)
#   and the test's processes. Keep hinit's stderr in a file there.

set -u

: "${HINIT:?run the tests through make check}"
: "${top_srcdir:?run the tests through make check}"

PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || { echo "FAIL: no $PYTHON (contrib/deps.sh)" >&2; exit 1; }
: "${TEST_SLOW:=1}"
[[ $TEST_SLOW =~ ^[1-9][0-9]*$ ]] ||
    { echo "FAIL: TEST_SLOW must be a whole number >= 1" >&2; exit 1; }
# Once per test, also when a script sourcing this runs another that does.
if [ -z "${HINIT_TEST_ASAN:-}" ]; then
	HINIT_TEST_ASAN=0
	if ldd "$HINIT" 2>/dev/null | grep -q libasan; then
		HINIT_TEST_ASAN=1
		TEST_SLOW=$((TEST_SLOW * 2))
	fi
	export HINIT_TEST_ASAN TEST_SLOW
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/hinit-test.XXXXXX")
chmod 755 "$T"
_cleanups=()

# Run "$@" when the test ends, however it ends (last registered, first run).
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
	local rc=$? i
	[ $rc -eq 0 ] || _diagnose >&2
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$T"
}
trap _run_cleanups EXIT

# What a failing test shows: the load it ran under, its processes, and the
# end of each text file it made (hinit's log and status, servers' logs).
_diagnose() {
	local f
	echo "==== diagnostics: load average $(cut -d' ' -f1-3 /proc/loadavg)," \
	    "TEST_SLOW $TEST_SLOW"
	echo "---- processes of this test"
	ps -e -o pid=,ppid=,stat=,etime=,args= | awk -v top=$$ '
	    { pid[NR] = $1; ppid[NR] = $2; line[NR] = $0 }
	    END {
		keep[top] = 1
		do {
			more = 0
			for (i = 1; i <= NR; i++)
				if (!(pid[i] in keep) && (ppid[i] in keep)) {
					keep[pid[i]] = 1
					more = 1
				}
		} while (more)
		for (i = 1; i <= NR; i++)
			if (pid[i] in keep && pid[i] != top &&
			    line[i] !~ / (ps -e -o|awk -v top=|cut -c1-200)/)
				print line[i]
	    }' | cut -c1-200
	echo "---- files (bytes)"
	find "$T" -maxdepth 2 -path "$T/bin" -prune -o ! -path "$T" \
	    -printf '%P (%s)\n' 2>/dev/null | sort | paste -sd' ' | fold -s -w 78
	find "$T" -maxdepth 2 -path "$T/bin" -prune -o -type f -size +0 \
	    ! -name '*.py' ! -name '*.pem' -print 2>/dev/null | sort |
	while read -r f; do
		grep -Iq '' "$f" 2>/dev/null || continue	# not text
		case $f in
		*.json)
			echo "---- ${f#"$T"/}: hinit status"
			timeout 5 "$HINIT" status --status-file "$f" 2>&1 |
			    cut -c1-300
			echo "---- ${f#"$T"/}: first 2000 bytes"
			head -c 2000 "$f"
			echo ;;
		*)
			echo "---- ${f#"$T"/}: last 25 lines"
			tail -n 25 "$f" | cut -c1-300 ;;
		esac
	done
	echo "==== end of diagnostics"
}

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
note() { echo "# $*"; }

# slow N: N (seconds or milliseconds) scaled by TEST_SLOW.
slow() { echo $(($1 * TEST_SLOW)); }

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

# wait_for SECONDS [!] COMMAND...: poll every 50ms until COMMAND succeeds
# (with !: until it fails), for at most SECONDS (scaled by TEST_SLOW) worth
# of polls; returns 1 if it never did.
wait_for() {
	local limit=$(($1 * TEST_SLOW * 20)) i=0 want=0 rc
	shift
	[ "$1" = ! ] && { want=1; shift; }
	while :; do
		"$@" >/dev/null 2>&1
		rc=$?
		[ $want = 0 ] && [ $rc = 0 ] && return 0
		[ $want = 1 ] && [ $rc != 0 ] && return 0
		i=$((i + 1))
		[ $i -ge $limit ] && return 1
		sleep 0.05
	done
}

# The same as a command on PATH, for apps, tasks and exec checks:
# wait-for SECONDS [!] COMMAND... (exit 1 if it never happened).
mkdir "$T/bin"
ln -s "$PYTHON" "$T/bin/python3"
{
	echo '#!/bin/bash'
	declare -f wait_for
	echo 'wait_for "$@"'
} >"$T/bin/wait-for"
chmod 755 "$T/bin/wait-for"
export PATH="$T/bin:$PATH"

# Whether $HINIT is the static build (musl, every check type linked in,
# libcurl and libpq built without what a container seldom has: FTP,
# Kerberos...); tests/static.am has the tests of that build alone.
static_build() { [ "${HINIT_BUILD:-}" = static ]; }

# Run hinit as PID 1 of a new PID namespace: pid1 [HINIT ARGS]...
pid1() {
	unshare --pid --fork --kill-child --mount-proc "$HINIT" "$@"
}

# hinit_pid UNSHARE_PID: the hinit that unshare (started in the background
# as above) runs in the new namespace, once it runs; 1 if it never did.
hinit_pid() {
	wait_for 10 pgrep -P "$1" -x hinit || return 1
	pgrep -P "$1" -x hinit
}

# A TCP port nobody listens on, from the kernel's ephemeral range.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
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

# silent_start [PORT]: a TCP server on PORT (default: a spare one) that
# accepts every connection and never says a word; sets SILENT_PORT and
# SILENT_PID. Stopped when the test ends, or by kill $SILENT_PID.
silent_start() {
	SILENT_PORT=${1:-$(free_port)}
	timeout 900 python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(64)
held = []
while True:
    held.append(s.accept()[0])
' "$SILENT_PORT" &
	SILENT_PID=$!
	on_exit "kill $SILENT_PID"
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
	# Lookups give up after 60s: far past any bound of a loaded machine.
	printf 'nameserver 127.0.0.1\noptions timeout:30 attempts:2\n' \
	    >"$T/resolv.conf"
	mount --bind "$T/resolv.conf" /etc/resolv.conf ||
	    fail "mount resolv.conf"
}
