#!/bin/bash
# tests/ci.sh: install what is missing, build, and run the whole test suite:
# once with -Werror, once with AddressSanitizer + UndefinedBehaviorSanitizer,
# once against the static hinit (musl, every check type linked in; its
# libraries built from Debian's sources once, kept in _build/static-deps),
# then `make distcheck` on the tarball, then every fuzz target for 30 s,
# then the -Werror suite again beside two CPU hogs (tests/under-load.sh).
# As root, on Debian 12. (The end-to-end tests need Node.js >= 20.9 and
# npm, as this machine kind has.) A CI runner is shared and may be busy:
# the tests' time limits are doubled (TEST_SLOW, see tests/lib.sh).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

bash contrib/deps.sh
autoreconf -fi >/dev/null 2>&1
export TEST_SLOW=${TEST_SLOW:-2}

passed=0
failed=0
suite() {	# suite NAME CONFIGURE-ARGS...
	local name=$1 dir=$top/_build/$1 rc=0
	shift
	echo "== $name: configure $*"
	rm -rf "$dir"
	mkdir -p "$dir"
	(cd "$dir" && "$top/configure" -q "$@" && make -j2 -s) ||
	    { echo "== $name: build failed"; exit 1; }
	start=$(date +%s)
	(cd "$dir" && make -j2 -s check) || rc=$?
	echo "== $name: $(($(date +%s) - start))s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
	p=$(sed -n 's/^# PASS: *//p' "$dir/test-suite.log")
	f=$(sed -n 's/^# FAIL: *//p' "$dir/test-suite.log")
	e=$(sed -n 's/^# ERROR: *//p' "$dir/test-suite.log")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0} + ${e:-0}))
	if [ "$rc" -ne 0 ]; then
		echo "== $name: failures:"
		for trs in $(cd "$dir" && grep -lE '^:test-result: (FAIL|ERROR)' \
		    $(find tests -name '*.trs')); do
			echo "--- ${trs%.trs}"
			# The failure, then what lib.sh shows to diagnose it.
			head -n 400 "$dir/${trs%.trs}.log" 2>/dev/null || true
		done
	fi
	return 0
}

# The static build's libraries (OpenSSL, curl, libpq...) take about 10
# minutes of both CPUs: they build while the first two suites run, which
# pass on a busy machine (tests/under-load.sh).
echo "== static: its libraries from Debian's source packages, in the background"
mkdir -p "$top/_build"
bash contrib/static/deps.sh "$top/_build/static-deps" \
    >"$top/_build/static-deps.log" 2>&1 &
deps=$!

suite werror --enable-debug CFLAGS="-O2 -g -Werror"
suite asan --enable-debug --enable-asan CFLAGS="-O1 -g"

wait "$deps" || {
	tail -n 40 "$top/_build/static-deps.log"
	echo "== static: the libraries failed"
	exit 1
}
suite static --enable-static-binary="$top/_build/static-deps" \
    --enable-debug CFLAGS="-O2 -g -Werror"

echo "== distcheck"
(cd "$top/_build/werror" && make -s distcheck TESTS="tests/unit-config tests/pid1-exit-codes.sh" >/dev/null) ||
    { echo "== distcheck failed"; failed=$((failed + 1)); }

echo "== fuzz: every target 30 s"
if bash tests/fuzz/run.sh 30 >"$top/_build/fuzz.log" 2>&1; then
	passed=$((passed + 1))
else
	tail -n 40 "$top/_build/fuzz.log"
	echo "== fuzz failed"
	failed=$((failed + 1))
fi

echo "== the -Werror suite under load"
if bash tests/under-load.sh "$top/_build/werror"; then
	passed=$((passed + 1))
else
	echo "== under load: failures"
	failed=$((failed + 1))
fi

echo "hinit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
