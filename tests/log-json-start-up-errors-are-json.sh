#!/bin/bash
# Start-up errors (a bad config, a bad --check, an address that cannot be
# bound) were printed as text lines with fprintf, whatever the log format:
# with --log-format json, or log_format = json in the file, a log shipper
# reading one JSON object a line got a line that is not one; and the text
# was raw (a control character in a value quoted by an error reached the
# terminal). They go through the log now: JSON when asked, and in text the
# contract's words ("hinit: FILE:LINE: [section] key: ..."), escaped.
. "$top_srcdir/tests/lib.sh"

json_only() {	# json_only WHAT FILE: every line one JSON object, an error
	"$PYTHON" - "$2" <<'PY' || fail "$1: not JSON lines: $(cat "$2")"
import json, sys
levels = [json.loads(l)["level"] for l in open(sys.argv[1])]
sys.exit(0 if "error" in levels else 1)
PY
}

"$HINIT" --log-format json --check bad -- true 2>"$T/a"
expect_eq "--check bad: exit code" 2 "$?"
json_only "--check bad" "$T/a"

printf '[hinit]\nlog_format = json\ngrace = bogus\n' >"$T/b.ini"
"$HINIT" -c "$T/b.ini" -- true 2>"$T/b"
expect_eq "bad grace: exit code" 2 "$?"
grep -q '"level":"error","msg":".*b.ini:3: \[hinit\] grace: bad duration' \
    "$T/b" || fail "bad grace: $(cat "$T/b")"

port=$(free_port)
"$PYTHON" -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
open(sys.argv[2], "w").close(); time.sleep(30)' "$port" "$T/bound" &
on_exit "kill $!"
wait_for 10 test -e "$T/bound" || fail "no listener"
printf '[hinit]\nlog_format = json\nlisten = 127.0.0.1:%s\n' "$port" >"$T/c.ini"
"$HINIT" -q -c "$T/c.ini" -- true 2>"$T/c"
expect_eq "listen in use: exit code" 2 "$?"
json_only "listen in use" "$T/c"
pass "start-up errors are JSON lines when the log is"

printf '[check:x]\nurl = http://127.0.0.1:1/\nmethod = A\033[31mB\n' >"$T/d.ini"
"$HINIT" -c "$T/d.ini" -- true 2>"$T/d"
expect_eq "bad method: exit code" 2 "$?"
grep -q "^hinit: $T/d.ini:3: \[check:x\] method: bad method" "$T/d" ||
    fail "text: not the contract's words: $(cat -v "$T/d")"
LC_ALL=C grep -q $'\x1b' "$T/d" && fail "text: a raw ESC: $(cat -v "$T/d")"
pass "in text, the contract's words, escaped"
