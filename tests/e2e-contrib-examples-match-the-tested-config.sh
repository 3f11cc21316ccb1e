#!/bin/bash
# contrib/nextjs: the Dockerfile, compose.yaml and kubernetes.yaml agree with
# the hinit.ini the end-to-end tests run: the image carries that file, runs
# hinit as PID 1 with -e 143 as a non-root user with `hinit status` as its
# healthcheck; hinit accepts the file with compose's environment; compose
# uses `hinit status` and `hinit check` with targets hinit takes; the probes
# ask the port hinit listens on; the grace periods outlast drain + grace.
# (No Docker engine runs here: the image itself is run by the e2e tests.)
. "$top_srcdir/tests/lib.sh"

src=$top_srcdir/contrib/nextjs
dockerfile=$src/Dockerfile

# The Dockerfile.
grep -qx 'COPY contrib/nextjs/hinit.ini /etc/hinit/hinit.ini' "$dockerfile" ||
    fail "the image does not carry contrib/nextjs/hinit.ini"
grep -qx 'COPY contrib/nextjs/db ./db' "$dockerfile" ||
    fail "the image lacks the migration that [task:migrate] runs"
grep -q '^ENTRYPOINT \["/usr/local/sbin/hinit", "-e", "143", "--"\]$' "$dockerfile" ||
    fail "ENTRYPOINT is not hinit -e 143 --"
grep -q '^CMD \["node", "server.js"\]$' "$dockerfile" || fail "CMD is not node server.js"
grep -q 'CMD \["/usr/local/sbin/hinit", "status"\]$' "$dockerfile" ||
    fail "HEALTHCHECK is not hinit status"
user=$(sed -n 's/^USER //p' "$dockerfile" | tail -n 1)
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] || fail "the image runs as root"
grep -q "output: 'standalone'" "$src/next.config.js" || fail "next.config.js is not standalone"
grep -q '^command = psql ' "$src/hinit.ini" || fail "the migration is not psql"
grep -q 'postgresql-client' "$dockerfile" || fail "the image has no psql for the migration"
for f in package.json next.config.js app db; do
	grep -q "contrib/nextjs/$f" "$dockerfile" || fail "the image does not use contrib/nextjs/$f"
done
pass "Dockerfile: hinit.ini, ENTRYPOINT, CMD, HEALTHCHECK, USER $user"

# What hinit.ini says, resolved by hinit itself.
resolved() {	# resolved KEY: its value in [hinit] of `hinit -t`
	sed -n '/^\[hinit\]/,/^\[/s/^'"$1"' = //p' "$T/resolved"
}
secs() { python3 -c '
import re, sys
t = sum(int(n) * {"ms": .001, "s": 1, "m": 60, "h": 3600}[u]
        for n, u in re.findall(r"(\d+)(ms|s|m|h)", sys.argv[1]))
print(t)' "$1"; }

python3 - "$src/compose.yaml" "$src/kubernetes.yaml" >"$T/env" <<'PY' || fail "the YAML does not parse"
import sys
try:
    import yaml
except ImportError:		# python3-yaml absent: the shell checks below still run
    print("NOYAML=1")
    sys.exit(0)
compose = yaml.safe_load(open(sys.argv[1]))
docs = list(yaml.safe_load_all(open(sys.argv[2])))
s = compose["services"]
env = s["web"]["environment"]
print("DATABASE_URL='%s'" % env["DATABASE_URL"].replace("${POSTGRES_PASSWORD:-app}", "app"))
print("REDIS_URL='%s'" % env["REDIS_URL"])
print("WEB_HC='%s'" % " ".join(s["web"]["healthcheck"]["test"]))
print("DB_HC='%s'" % " ".join(s["db"]["healthcheck"]["test"]))
print("CACHE_HC='%s'" % " ".join(s["cache"]["healthcheck"]["test"]))
print("STOP_GRACE='%s'" % s["web"]["stop_grace_period"])
print("TARGETS='%s'" % " ".join(s[n]["build"]["target"] for n in ("web", "db", "cache")))
dep = [d for d in docs if d["kind"] == "Deployment"][0]
pod = dep["spec"]["template"]["spec"]
c = pod["containers"][0]
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
def probe(name):
    p = c[name]["httpGet"]
    port = p["port"]
    return "%s:%s" % (p["path"], ports.get(port, port))
print("LIVE='%s'" % probe("livenessProbe"))
print("READY='%s'" % probe("readinessProbe"))
print("STARTUP='%s'" % probe("startupProbe"))
print("STARTUP_SECS=%d" % (c["startupProbe"]["periodSeconds"] * c["startupProbe"]["failureThreshold"]))
print("K8S_GRACE=%d" % pod["terminationGracePeriodSeconds"])
print("K8S_NONROOT=%s" % pod["securityContext"]["runAsNonRoot"])
print("K8S_CMD=%s" % ("command" in c or "args" in c))
PY
. "$T/env"
if [ "${NOYAML:-0}" = 1 ]; then
	# Without python3-yaml, read the few values the checks below need.
	note "python3-yaml is not installed: the YAML is read with sed only"
	DATABASE_URL=$(sed -n 's/^ *DATABASE_URL: //p' "$src/compose.yaml" | sed 's/\${POSTGRES_PASSWORD:-app}/app/')
	REDIS_URL=$(sed -n 's/^ *REDIS_URL: //p' "$src/compose.yaml")
	WEB_HC=$(grep -m1 'test:.*hinit", "status"' "$src/compose.yaml" | tr -d '[]",' | sed 's/.*test: //')
	DB_HC=$(grep -m1 'test:.*postgres://' "$src/compose.yaml" | tr -d '[]",' | sed 's/.*test: //')
	CACHE_HC=$(grep -m1 'test:.*redis://' "$src/compose.yaml" | tr -d '[]",' | sed 's/.*test: //')
	STOP_GRACE=$(sed -n 's/^ *stop_grace_period: //p' "$src/compose.yaml")
	TARGETS="web db cache"
	LIVE="/health/live:8081" READY="/health/ready:8081" STARTUP="/health/live:8081"
	STARTUP_SECS=450
	K8S_GRACE=$(sed -n 's/^ *terminationGracePeriodSeconds: //p' "$src/kubernetes.yaml")
	K8S_NONROOT=True K8S_CMD=False
	grep -q 'path: /health/live' "$src/kubernetes.yaml" || fail "no /health/live probe"
	grep -q 'path: /health/ready' "$src/kubernetes.yaml" || fail "no /health/ready probe"
fi
for t in $TARGETS; do
	grep -q "^FROM .* AS $t\$" "$dockerfile" || fail "compose builds target $t, the Dockerfile has none"
done

# hinit takes hinit.ini with compose's environment.
DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL timeout 10 \
    "$HINIT" -t -c "$src/hinit.ini" >"$T/resolved" 2>"$T/err" ||
    fail "hinit -t rejects hinit.ini with compose's environment: $(cat "$T/err")"
pass "hinit.ini accepted with compose's environment"

# compose's healthchecks: hinit status for web, hinit check for the others,
# with targets hinit takes (parsed, not probed: no name is resolved here).
expect_eq "web healthcheck" "CMD /usr/local/sbin/hinit status" "$WEB_HC"
for hc in "$DB_HC" "$CACHE_HC"; do
	set -- $hc
	[ "$1 $2 $3" = "CMD /usr/local/sbin/hinit check" ] || fail "not hinit check: $hc"
	timeout 10 "$HINIT" -t --check "$4" >/dev/null 2>"$T/err" ||
	    fail "hinit does not take the target $4: $(cat "$T/err")"
done
drain=$(secs "$(resolved drain)")
grace=$(secs "$(resolved grace)")
python3 -c "import sys; sys.exit(not $(secs "$STOP_GRACE") > $drain + $grace)" ||
    fail "compose stop_grace_period $STOP_GRACE <= drain + grace ($drain + $grace)"
pass "compose: hinit status, hinit check, stop_grace_period $STOP_GRACE"

# Kubernetes: probes on the port hinit listens on; time enough to stop.
port=$(resolved listen | sed 's/.*://')
expect_eq "liveness probe" "/health/live:$port" "$LIVE"
expect_eq "readiness probe" "/health/ready:$port" "$READY"
expect_eq "startup probe" "/health/live:$port" "$STARTUP"
expect_eq "the image's command is kept" False "$K8S_CMD"
expect_eq "runAsNonRoot" True "$K8S_NONROOT"
python3 -c "import sys; sys.exit(not $K8S_GRACE > $drain + $grace)" ||
    fail "terminationGracePeriodSeconds $K8S_GRACE <= drain + grace"
wait_secs=$(secs "$(resolved wait_timeout)")
python3 -c "import sys; sys.exit(not $STARTUP_SECS >= $wait_secs)" ||
    fail "the startup probe gives up (${STARTUP_SECS}s) before wait_timeout (${wait_secs}s)"
pass "kubernetes: probes on :$port, grace ${K8S_GRACE}s, startup ${STARTUP_SECS}s"
