#!/bin/bash
# Output passed on a line at a time, or a long line in 4 KiB pieces, never
# shows a secret, or a piece of one, whichever way it is split:
# - a secret of many lines (a PEM key mounted as a file) printed by a task
#   or by the on_change hook: each line went out whole, and no line is the
#   whole secret;
# - a 12 KB secret on one line of a task's output: the middle piece lay
#   inside it, with no end of it to match;
# - a secret across the 4 KiB cut of a line of the hook's output: the hook
#   logged its pieces without saying they were cut, so the start of the
#   secret ended one piece and its rest began the next.
# In the text log and in the JSON log.
. "$top_srcdir/tests/lib.sh"

printf -- '-----BEGIN KEY-----\nKEYLINE-one-SeCrEt-aaaa\nKEYLINE-two-SeCrEt-bbbb\n-----END KEY-----\n' \
    >"$T/key.pem"
LONGSEC=Lg-$("$PYTHON" -c '
import random, string
r = random.SystemRandom()
print("".join(r.choice(string.ascii_letters + string.digits)
    for _ in range(12000)))')-SeCrEt
export LONGSEC SP=Sp-SeCrEt-0123456789
cat >"$T/hinit.ini" <<INI
[hinit]
on_change = printf '%s\n' "\${file:$T/key.pem}"; printf '%4090s%s\n' "" "\${SP}" | tr ' ' x
[check:c]
command = true
interval = 100ms
[task:t]
command = printf '%s\n' "\${file:$T/key.pem}" "\${LONGSEC}"; printf '%4090s%s\n' "" "\${SP}" | tr ' ' x
INI

run() {	# run NAME [HINIT OPTIONS]
	local name=$1 unshare_pid hinit_pid
	shift
	unshare --pid --fork --kill-child --mount-proc "$HINIT" "$@" \
	    -c "$T/hinit.ini" --status-file "$T/$name.json" -- sleep 60 \
	    2>"$T/$name.log" &
	unshare_pid=$!
	on_exit "kill -9 $unshare_pid"
	hinit_pid=$(hinit_pid $unshare_pid) || fail "$name: hinit did not start"
	# Two events (check c, then the overall state): 2 x 6 hook lines.
	hooked() { [ "$(grep -c 'on_change' "$T/$name.log")" -ge 12 ]; }
	wait_for 20 hooked || fail "$name: the hook's lines: $(cat "$T/$name.log")"
	kill -TERM "$hinit_pid"
	timeout 20 tail --pid="$hinit_pid" -f /dev/null
}
run text
run json --log-format json

for f in text json; do
	log=$T/$f.log
	# The lines are there, hidden.
	[ "$(grep -c '"task":"t"\|^t: ' "$log")" -ge 9 ] ||
	    fail "$f: the task's lines: $(cut -c1-100 "$log")"
	grep -q 'KEYLINE\|SeCrEt\|SeC\|rEt-\|0123456789' "$log" &&
	    fail "$f: a secret or a piece of one: $(grep -o '.\{0,20\}\(KEYLINE\|SeCrEt\|SeC\|rEt-\|0123456789\).\{10\}' "$log" | head -3)"
	# No 8 bytes in a row of the long one.
	"$PYTHON" - "$log" <<'PY' || fail "$f: a piece of the 12 KB secret is shown"
import os, sys
s = os.environ["LONGSEC"]
grams = {s[i:i + 8] for i in range(len(s) - 7)}
text = open(sys.argv[1]).read()
bad = [text[i:i + 8] for i in range(len(text) - 7) if text[i:i + 8] in grams]
if bad:
    print("shown:", bad[:3], len(bad))
    sys.exit(1)
PY
done
pass "secrets split across lines and pieces stay hidden"
