#!/bin/bash
# hinit check: exit 0 when all pass, 1 when any fails, 2 for a bad target
# or usage; one line per target with the password masked; --json parses.
. "$top_srcdir/tests/lib.sh"

out=$(timeout 10 "$HINIT" check "a=exec:true" "b=exec:echo fine")
expect_eq "all pass" 0 $?
expect_match "line a" "^a exec:true pass [0-9.]+ms$" "$(sed -n 1p <<<"$out")"
expect_match "line b" "^b exec:echo fine pass [0-9.]+ms fine$" "$(sed -n 2p <<<"$out")"
pass "exit 0 when all pass"

out=$(timeout 10 "$HINIT" check "a=exec:true" "b=exec:echo out; echo err >&2; exit 3")
expect_eq "one fails" 1 $?
expect_match "exit status and output, one line" \
    "^b exec:echo out; echo err >&2; exit 3 fail [0-9.]+ms exit 3: out err$" \
    "$(sed -n 2p <<<"$out")"
pass "exit 1 when one fails; stdout and stderr both kept"

out=$(timeout 10 "$HINIT" check 'k=exec:kill -9 $$')
expect_eq "killed" 1 $?
expect_match "killed by signal" "fail [0-9.]+ms killed by SIGKILL$" "$out"
pass "a command killed by a signal fails with its name"

for bad in "ftp://127.0.0.1/" "nourl" "exec:" "--bogus" "--timeout=soon exec:true" ""; do
	# shellcheck disable=SC2086
	timeout 10 "$HINIT" check $bad >"$T/out" 2>"$T/err"
	rc=$?
	expect_eq "exit code for '$bad'" 2 $rc
	[ -s "$T/out" ] && fail "'$bad' printed a result"
	[ -s "$T/err" ] || fail "'$bad' gave no reason"
done
timeout 10 "$HINIT" check ftp://127.0.0.1/ 2>&1 | grep -q "scheme 'ftp'" ||
    fail "unknown scheme not named"
# An error, as every hinit error is worded: "hinit: ...", not a warning.
timeout 10 "$HINIT" check --bogus 2>"$T/err"
expect_eq "unknown option" "hinit: check: unknown option --bogus" "$(sed -n 1p "$T/err")"
timeout 10 "$HINIT" wait --timeout 1s --interval 100ms "exec:false" 2>"$T/err"
expect_eq "wait gives up" 124 $?
expect_match "wait's error" "^hinit: wait: gave up after 1s: " "$(cat "$T/err")"
pass "exit 2 for bad targets and usage"

# The password is masked in every output, text and JSON.
closed=$(free_port)
url="postgres://app:pw-s3cret-x@127.0.0.1:$closed/app"
out=$(timeout 10 "$HINIT" check "db=$url" 2>&1)
expect_eq "refused postgres" 1 $?
expect_match "masked" "^db postgres://app:\*\*\*@127\.0\.0\.1:$closed/app fail " "$out"
expect_no_match "no secret" "pw-s3cret-x" "$out"
out=$(timeout 10 "$HINIT" check --json "db=$url" "e=exec:printf 'a\"b\\\\c'" 2>&1)
expect_eq "json exit code" 1 $?
expect_no_match "no secret in JSON" "pw-s3cret-x" "$out"
python3 -c '
import json, sys
doc = json.loads(sys.argv[1])
assert isinstance(doc, list) and len(doc) == 2, doc
db, e = doc
assert db["name"] == "db" and db["result"] == "fail", db
assert db["target"].startswith("postgres://app:***@"), db
assert e["result"] == "pass" and e["output"] == "a\"b\\c", e
assert isinstance(e["duration_ms"], float) and e["duration_ms"] >= 0, e
' "$out" || fail "--json output: $out"
pass "password masked; --json is valid JSON"
