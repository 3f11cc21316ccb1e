#!/bin/bash
# The static hinit as PID 1 of a real container (podman, runc) whose root
# holds nothing but hinit, a static busybox as the app, /etc/hosts,
# /etc/resolv.conf, hinit's config and a CA bundle: no C library, no shell,
# no module. It probes real servers on loopback by names from /etc/hosts:
# http, https (a test CA, read from the bundle's usual path), postgres with
# pg_isready semantics and with `query`, redis with AUTH, tcp; it serves
# /health and /metrics, `hinit status` answers from inside (podman exec),
# orphans are reaped, signals reach the app, and the app's exit code is the
# container's.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
. "$top_srcdir/tests/fixtures/rootfs.sh"

# A test CA, and a certificate it signed for web.hinit.test that
# httpd_start --tls serves ($T/cert.pem, $T/key.pem).
ssl() { openssl "$@" >/dev/null 2>&1 || fail "openssl $1"; }
ssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$T/ca.key" -out "$T/ca.pem" -days 2 -subj "/CN=hinit test CA" \
    -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign
ssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$T/key.pem" -out "$T/web.csr" -subj /CN=web.hinit.test
printf 'subjectAltName=DNS:web.hinit.test\nextendedKeyUsage=serverAuth\n' \
    >"$T/web.ext"
ssl x509 -req -in "$T/web.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" \
    -CAcreateserial -days 2 -extfile "$T/web.ext" -out "$T/cert.pem"

httpd_start
HTTP_PORT=$HTTPD_PORT
httpd_start --tls
TLS_PORT=$HTTPD_PORT
pg_start
redis_start --requirepass rsecret
LISTEN_PORT=$(free_port)

rootfs_make "127.0.0.1 db.hinit.test cache.hinit.test web.hinit.test"
mkdir -p "$ROOT/etc/ssl/certs" "$ROOT/etc/hinit"
cp "$T/ca.pem" "$ROOT/etc/ssl/certs/ca-certificates.crt"
db=db.hinit.test:$PG_PORT
cache=cache.hinit.test:$REDIS_PORT
cat >"$ROOT/etc/hinit/hinit.ini" <<EOT
[hinit]
listen = 127.0.0.1:$LISTEN_PORT
grace = 5s

[check:web]
url = http://web.hinit.test:$HTTP_PORT/ok
interval = 1s
[check:tls]
url = https://web.hinit.test:$TLS_PORT/ok
interval = 1s
[check:tls_wrong_name]
url = https://127.0.0.1:$TLS_PORT/ok
interval = 1s
retries = 1
critical = no
[check:db]
url = postgres://hinit:secret@$db/postgres
interval = 1s
[check:db_refused_login]
url = postgres://hinit:notthepassword@$db/postgres
interval = 1s
[check:db_query]
url = postgres://hinit:secret@$db/postgres
query = SELECT 1
interval = 1s
[check:db_query_refused_login]
url = postgres://hinit:notthepassword@$db/postgres
query = SELECT 1
interval = 1s
retries = 1
critical = no
[check:cache]
url = redis://:rsecret@$cache/0
interval = 1s
[check:cache_no_password]
url = redis://$cache/0
interval = 1s
retries = 1
critical = no
[check:port]
url = tcp://$db
interval = 1s
EOT

expect_eq "the root holds only hinit, busybox, hosts, resolv.conf, config, CA" \
    "/bin/busybox /etc/hinit/hinit.ini /etc/hosts /etc/resolv.conf /etc/ssl/certs/ca-certificates.crt /sbin/hinit" \
    "$(rootfs_files | tr '\n' ' ' | sed 's/ $//')"

# The app: leaves five orphans to PID 1, says which signals it gets, exits
# 42 on SIGTERM.
ctr_start main -- /bin/busybox sh -c '
	for i in 1 2 3 4 5; do (/bin/busybox true &); done
	trap "echo app: got USR1" USR1
	trap "echo app: got TERM; exit 42" TERM
	echo app: up
	while :; do /bin/busybox sleep 1 & wait $!; done'

# Every critical check healthy: hinit status, from inside, exits 0.
wait_for 40 ctr_exec main /sbin/hinit status || {
	ctr_exec main /sbin/hinit status
	ctr_logs main
	fail "hinit status did not turn ready in the container"
}
# ... and the checks meant to fail have failed (retries = 1).
judged() {
	ctr_exec main /sbin/hinit status --json | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
for k, v in d["checks"].items():
    v = v[0]
    # A passing check has no "output": the last attempt has it in the log.
    out = v.get("output") or v["hinit:log"][-1].get("output", "")
    print(v["componentId"], v["hinit:state"], out.replace("\n", " "))
' >"$T/checks" 2>/dev/null || return 1
	! grep -q " starting " "$T/checks" && [ "$(wc -l <"$T/checks")" -eq 10 ]
}
wait_for 20 judged || fail "checks not judged: $(cat "$T/checks")"
state() {	# state CHECK STATE OUTPUT-REGEX
	local line
	line=$(grep "^$1 " "$T/checks")
	expect_match "check $1" "^$1 $2 .*$3" "$line"
}
note "$(cat "$T/checks")"
state web healthy "HTTP 200"
state tls healthy "HTTP 200"
state tls_wrong_name unhealthy "127.0.0.1"
state db healthy "accepting connections"
state db_refused_login healthy "accepting connections"
state db_query healthy ""
state db_query_refused_login unhealthy "password authentication failed"
state cache healthy "PONG"
state cache_no_password unhealthy "NOAUTH"
state port healthy ""
grep -q rsecret "$T/checks" && fail "a password in the status"

# /health and /metrics, served from the container on the host's loopback.
code=$(curl -s -o "$T/health" -D "$T/headers" -w '%{http_code}' \
    "http://127.0.0.1:$LISTEN_PORT/health")
expect_eq "/health: 200 (pass, with non-critical failures: warn)" 200 "$code"
expect_match "/health says warn" '"status": *"warn"' "$(cat "$T/health")"
grep -qi '^content-type: application/health+json' "$T/headers" ||
    fail "/health content type: $(cat "$T/headers")"
curl -s "http://127.0.0.1:$LISTEN_PORT/metrics" >"$T/metrics"
reaped=$(sed -n 's/^hinit_zombies_reaped_total //p' "$T/metrics")
[ "${reaped:-0}" -ge 5 ] || fail "orphans reaped: '${reaped:-}' (want >= 5)"

# Signals: USR1 is forwarded; SIGTERM (podman stop) stops the app, whose
# exit code becomes the container's.
podman kill --signal USR1 "$(ctr_name main)" >/dev/null ||
    fail "podman kill --signal USR1"
wait_for 10 sh -c "podman logs $(ctr_name main) 2>&1 | grep -q 'app: got USR1'" ||
    fail "USR1 not forwarded: $(ctr_logs main)"
timeout 30 podman stop -t 10 "$(ctr_name main)" >/dev/null ||
    fail "podman stop"
expect_eq "exit code after podman stop" 42 "$(ctr_exit_code main)"
ctr_logs main | grep -q "app: got TERM" || fail "no TERM: $(ctr_logs main)"
pass "static hinit in an empty root: every check type, /health, status, signals"

# Exit codes: the app's, 128+N when killed by signal N, 127 and 126 when
# it cannot be run.
ctr_run -q -- /bin/busybox sh -c 'exit 7'
expect_eq "app's exit code" 7 "$?"
ctr_run -q -- /bin/busybox sh -c 'kill -9 $$'
expect_eq "app killed by SIGKILL" 137 "$?"
ctr_run -q -- /nonexistent 2>"$T/err"
expect_eq "app not found" 127 "$?"
ctr_run -q -- /etc/hosts 2>"$T/err"
expect_eq "app not executable" 126 "$?"
out=$(ctr_run -q -- /bin/busybox sh -c 'echo $$')
expect_eq "the app is not PID 1" 1 "$([ "$out" -gt 1 ] && echo 1)"
pass "static hinit in an empty root: exit codes"
