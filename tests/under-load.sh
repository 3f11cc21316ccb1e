#!/bin/bash
# tests/under-load.sh [BUILD-DIR [RUNS]]: the whole test suite of a build
# (default _build/werror, as tests/ci.sh makes it) on a busy machine: two
# CPU hogs (stress-ng --cpu 2) run at the tests' own priority all along.
# It must pass as on a quiet one, RUNS times in a row (default 1). The
# hogs take about half of the CPU: TEST_SLOW (see tests/lib.sh) is doubled.
# Prints each run's wall time and load, and the logs of failing tests.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/_build/werror}
runs=${2:-1}
[ -f "$dir/Makefile" ] || { echo "under-load: no build in $dir" >&2; exit 2; }
command -v stress-ng >/dev/null ||
    { echo "under-load: stress-ng is missing (contrib/deps.sh)" >&2; exit 2; }
export TEST_SLOW=$(( ${TEST_SLOW:-1} * 2 ))

stress-ng --cpu 2 --timeout 3h --quiet &
hogs=$!
trap 'kill $hogs 2>/dev/null; wait $hogs 2>/dev/null || true' EXIT

rc=0
for run in $(seq 1 "$runs"); do
	start=$(date +%s)
	failed=0
	(cd "$dir" && make -j2 -s check >/dev/null 2>&1) || failed=1
	secs=$(($(date +%s) - start))
	summary=$(sed -n 's/^# \(PASS\|FAIL\|ERROR\): *\(.*\)/\1 \2/p' \
	    "$dir/test-suite.log" | tr '\n' ' ')
	echo "== under load, run $run of $runs: ${secs}s, $summary(load" \
	    "average $(cut -d' ' -f1-3 /proc/loadavg), TEST_SLOW $TEST_SLOW)"
	[ $failed = 0 ] && continue
	rc=1
	for trs in $(cd "$dir" && grep -lE '^:test-result: (FAIL|ERROR)' \
	    $(find tests -name '*.trs')); do
		echo "--- ${trs%.trs}"
		head -n 400 "$dir/${trs%.trs}.log" 2>/dev/null || true
	done
done
exit $rc
