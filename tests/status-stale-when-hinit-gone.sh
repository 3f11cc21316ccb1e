#!/bin/bash
# The status file is rewritten at least every 5s; once hinit is SIGKILLed
# the file stays, and hinit status says 1 as soon as it is older than 15s,
# by its modification time or by hinit:updated.
. "$top_srcdir/tests/lib.sh"

file=$T/s.json
unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" --status-file "$file" -- sleep 1000 2>"$T/err" &
unshare_pid=$!
on_exit "kill -9 $unshare_pid"
wait_for 5 pgrep -P $unshare_pid || fail "hinit did not start"
hinit_pid=$(pgrep -P $unshare_pid)

updated() {
	python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hinit:updated"])' "$file" 2>/dev/null
}
st() { timeout 5 "$HINIT" status --status-file "$file" >"$T/out" 2>&1; echo $?; }

wait_for 5 test -s "$file" || fail "no status file"
ready() { [ "$(st)" = 0 ]; }
wait_for 5 ready || fail "not ready: $(cat "$T/out")"
first=$(updated)
rewritten() { [ "$(updated)" != "$first" ]; }
wait_for 6 rewritten || fail "not rewritten within 6s: $first"
second=$(updated)
note "hinit:updated $first, then $second"

kill -9 "$hinit_pid"
wait_for 5 ! kill -0 "$hinit_pid" 2>/dev/null
expect_eq "just killed, the file is still fresh" 0 "$(st)"

touch -d "@$(($(date +%s) - 20))" "$file"
expect_eq "file older than 15s" 1 "$(st)"
expect_match "says stale" 'stale' "$(cat "$T/out")"

python3 - "$file" <<'PY'
import json, sys, time
d = json.load(open(sys.argv[1]))
d["hinit:updated"] = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(time.time() - 20))
open(sys.argv[1], "w").write(json.dumps(d))
PY
expect_eq "hinit:updated older than 15s, fresh mtime" 1 "$(st)"
expect_match "says stale" 'stale' "$(cat "$T/out")"
pass "stale status is not ready"
