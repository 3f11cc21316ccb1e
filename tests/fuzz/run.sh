#!/bin/bash
# tests/fuzz/run.sh [SECONDS] [TARGET]...: build the fuzz targets, then run
# each for SECONDS (default 60), two at a time, from its seed corpus in
# tests/fuzz/corpus/NAME plus what earlier runs found (kept in the build
# directory, _build/fuzz, or $FUZZ_BUILD). Exits 1 if any target crashed,
# leaked or hung; the input is left in $FUZZ_BUILD/crashes/ to be added to
# tests/regress/NAME/, where make check replays it. The targets' own output
# is closed during the run: `$FUZZ_BUILD/fuzz-NAME FILE` shows why FILE
# failed (with HINIT_MODULE_DIR=$FUZZ_BUILD/checks/.libs for config, redis).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-60}
shift || true
out=${FUZZ_BUILD:-$top/_build/fuzz}
targets=${*:-config duration expand url httpd redis status scrub}

bash "$top/tests/fuzz/build.sh" "$out" || exit 1
out=$(cd "$out" && pwd)
export HINIT_MODULE_DIR=$out/checks/.libs
mkdir -p "$out/crashes" "$out/logs"

fuzz_one() {	# fuzz_one NAME
	local t=$1 work=$out/corpus/$1 rc=0
	mkdir -p "$work"
	"$out/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -close_fd_mask=3 -print_final_stats=1 \
	    -artifact_prefix="$out/crashes/$t-" \
	    "$work" "$top/tests/fuzz/corpus/$t" >"$out/logs/$t.log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/logs/$t.log")
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: fuzz-$t (exit $rc, ${execs:-?} runs): $out/logs/$t.log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written)' \
		    "$out/logs/$t.log" | head -5
		return 1
	fi
	echo "ok: fuzz-$t: ${execs:-?} runs in ${secs}s, no crash"
}

failed=0
running=0
for t in $targets; do
	if [ "$running" -ge 2 ]; then
		wait -n || failed=$((failed + 1))
		running=$((running - 1))
	fi
	fuzz_one "$t" &
	running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
	wait -n || failed=$((failed + 1))
	running=$((running - 1))
done
[ "$failed" -eq 0 ] || { echo "fuzz: $failed target(s) failed"; exit 1; }
echo "fuzz: every target ran ${secs}s clean"
