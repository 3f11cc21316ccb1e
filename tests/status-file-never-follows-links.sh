#!/bin/bash
# A symbolic link planted where the status file goes is replaced, never
# written through; one planted in its directory's path makes hinit run on
# without a file (saying why), the endpoint still answering.
. "$top_srcdir/tests/lib.sh"

echo "untouched" >"$T/victim"
ln -s "$T/victim" "$T/s.json"
port=$(free_port)
unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" --status-file "$T/s.json" -- sleep 1000 2>"$T/err" &
unshare_pid=$!
on_exit "kill -9 $unshare_pid"
wait_for 5 test -f "$T/s.json" -a ! -L "$T/s.json" || fail "the link is still there"
expect_eq "the link's target" "untouched" "$(cat "$T/victim")"
wait_for 5 timeout 5 "$HINIT" status --status-file "$T/s.json" ||
    fail "hinit status: $(timeout 5 "$HINIT" status --status-file "$T/s.json" 2>&1)"
kill -9 "$unshare_pid"
pass "a link at the file is replaced"

mkdir -m 700 "$T/real"
ln -s "$T/real" "$T/link"
unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" --status-file "$T/link/s.json" --listen "127.0.0.1:$port" \
    -- sleep 1000 2>"$T/err" &
unshare_pid=$!
on_exit "kill -9 $unshare_pid"
wait_for 5 grep -q "'link' is a symbolic link" "$T/err" || fail "no warning: $(cat "$T/err")"
updated() {
	curl -sf "http://127.0.0.1:$port/health" | python3 -c '
import json, sys; print(json.load(sys.stdin)["hinit:updated"])'
}
wait_for 5 updated || fail "no endpoint"
# The status is written at least every 5s: wait for the next time.
first=$(updated)
rewritten() { [ "$(updated)" != "$first" ]; }
wait_for 10 rewritten || fail "the document was not renewed in 10s"
[ -z "$(ls -A "$T/real")" ] || fail "written through the link: $(ls -A "$T/real")"
timeout 5 "$HINIT" status --status-file "$T/link/s.json" >/dev/null 2>&1
expect_eq "hinit status refuses the link too" 1 "$?"
pass "a link in the path: no file, the endpoint answers"
