#!/bin/bash
# Not PID 1, hinit says it acts as a child subreaper only once its config
# is good, and in the config's log format: a config error starts nothing
# and says only the error (it said "acting as a child subreaper" first),
# and with log_format = json the line is JSON like every other.
. "$top_srcdir/tests/lib.sh"

out=$("$HINIT" -c "$T/none.ini" -- true 2>&1)
expect_eq "a missing config: exit code" 2 "$?"
expect_no_match "a missing config: the log" "subreaper" "$out"
printf '[hinit]\ngrace = 5x\n' >"$T/bad.ini"
out=$("$HINIT" -c "$T/bad.ini" -- true 2>&1)
expect_eq "a bad config: exit code" 2 "$?"
expect_no_match "a bad config: the log" "subreaper" "$out"
pass "a config error says nothing of a subreaper"

printf '[hinit]\nlog_format = json\n' >"$T/json.ini"
out=$("$HINIT" -c "$T/json.ini" -- true 2>&1)
expect_eq "json: exit code" 0 "$?"
line=$(grep subreaper <<<"$out") || fail "json: no subreaper line: $out"
$PYTHON -c 'import json, sys; json.loads(sys.argv[1])' "$line" ||
	fail "json: the subreaper line is not JSON: $line"
pass "with log_format = json the subreaper line is JSON"
