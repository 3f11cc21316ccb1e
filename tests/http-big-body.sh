#!/bin/bash
# A huge body is not read: the attempt stops after 64 KiB, passes at once,
# and hinit's memory does not grow with the body.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
httpd_start

out=$(timeout 60 "$HINIT" check "$HTTPD_URL/big?mb=200")
expect_eq "exit of a 200 MiB answer" 0 $?
expect_match "big line" " pass [0-9.]+(ms|s) HTTP 200\$" "$out"
# Reading 200 MiB from a Python server takes seconds; 64 KiB does not.
secs=$(awk '{ print $4 }' <<<"$out")
python3 - "$secs" <<'PY' || fail "a 200 MiB answer took $secs"
import os, sys
d = sys.argv[1]
s = float(d[:-2]) / 1000 if d.endswith("ms") else float(d[:-1])
sys.exit(not s < 2 * int(os.environ["TEST_SLOW"]))
PY
# The server counts what it could send before hinit closed: 64 KiB plus
# what the kernel's socket buffers took, not the 200 MiB.
wait_for 5 grep -q " sent " "$HTTPD_LOG" || fail "the server is still sending"
sent=$(awk '$2 == "sent" { print $3; exit }' "$HTTPD_LOG")
note "the server sent $sent bytes of 200 MiB"
[ "$sent" -lt $((32 << 20)) ] || fail "hinit read $sent bytes of the body"

# Peak memory of hinit probing a 100 MiB answer every 100ms, next to the
# same hinit probing a 2-byte one: the difference is noise, not the body.
# Read once the server has seen five attempts of the path.
hwm() {	# hwm PATH NAME: $T/NAME.kb: VmHWM in KiB of an init probing PATH
	cat >"$T/$2.ini" <<EOT
[hinit]
status_file = $T/$2.json
[check:web]
url = $HTTPD_URL$1
expect_body = x
interval = 100ms
EOT
	"$HINIT" -e 143 -c "$T/$2.ini" -v -- sleep 1000 2>"$T/$2.err" &
	local pid=$! kb
	on_exit "kill $pid"
	wait_for 10 grep -q "check web:" "$T/$2.err" ||
	    fail "no check result from hinit for $1: $(cat "$T/$2.err")"
	probed=$1
	wait_for 10 five ||
	    fail "only $(grep -cF " GET $1" "$HTTPD_LOG") attempts of $1"
	kb=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
	kill "$pid"
	wait "$pid" || fail "hinit exited $?: $(cat "$T/$2.err")"
	echo "$kb" >"$T/$2.kb"
}
five() { [ "$(grep -cF " GET $probed" "$HTTPD_LOG")" -ge 5 ]; }
hwm "/ok?x" small
hwm "/big?mb=100" big
small=$(cat "$T/small.kb") big=$(cat "$T/big.kb")
note "VmHWM: ${small} KiB probing 2 bytes, ${big} KiB probing 100 MiB"
grep -q "check web: healthy" "$T/big.err" || fail "big answer not healthy: $(cat "$T/big.err")"
[ $((big - small)) -lt 8192 ] ||
    fail "hinit grew by $((big - small)) KiB reading a big body"
attempts=$(grep -c " GET /big?mb=100$" "$HTTPD_LOG")
[ "$attempts" -ge 5 ] || fail "only $attempts attempts of the big answer"
pass "a huge body is neither buffered nor waited for"
