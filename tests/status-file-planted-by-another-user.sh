#!/bin/bash
# status_file in a sticky directory anyone may write (as /tmp), hinit not
# root: another user can create the file first, and hinit cannot replace a
# file it does not own there. hinit says so, naming the owner, and hinit
# status (as hinit's user, and as root) answers 1 with the reason, never 0
# from the planted "pass". The temporary name hinit writes through cannot
# be guessed, so squatting the old one (".NAME.PID") no longer stops every
# write; once the planted file is gone, hinit publishes again.
. "$top_srcdir/tests/lib.sh"

# A copy any user may run, wherever the build tree is.
cp "$HINIT" "$T/hinit"
chmod 755 "$T/hinit"
a=$((41000 + $$ % 10000))
b=$((a + 1))
as_a="setpriv --reuid=$a --regid=$a --clear-groups"
as_b="setpriv --reuid=$b --regid=$b --clear-groups"
pub=$T/pub
mkdir -m 1777 "$pub"
file=$pub/app.json

# B plants a fresh "pass" document before hinit starts.
now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
$as_b sh -c "cat >$file" <<DOC
{"status": "pass", "version": "0.1.0", "serviceId": "x", "hinit:state": "healthy", "hinit:live": "pass", "hinit:pid": 1, "hinit:updated": "$now", "hinit:app": {"pid": 7, "state": "running", "restarts": 0}, "checks": {}}
DOC
expect_eq "planted file's owner" "$b" "$(stat -c %u "$file")"

# hinit as A: one check that always fails, one that passes once $T/ok is.
$as_a "$T/hinit" --check 'never=exec:exit 1' --check "flip=exec:test -e $T/ok" \
    --status-file "$file" -- sleep 60 2>"$T/err" &
hpid=$!
on_exit "kill -9 $hpid"
wait_for 10 grep -q "belongs to uid $b" "$T/err" ||
    fail "hinit does not say why it cannot publish: $(cat "$T/err")"
sleep 1		# hinit's first writes are due by now

for who in a root; do
	if [ $who = a ]; then
		out=$($as_a "$T/hinit" status --status-file "$file" 2>&1)
	else
		out=$("$T/hinit" status --status-file "$file" 2>&1)
	fi
	expect_eq "hinit status as $who, planted file: exit code ($out)" 1 "$?"
	expect_match "hinit status as $who: reason" "owned by uid $b" "$out"
	out=$("$T/hinit" status --json --status-file "$file" 2>&1)
	expect_eq "hinit status --json as $who: exit code" 1 "$?"
done
pass "a planted status file makes hinit status answer 1, and hinit says why"

# The planted file goes: hinit publishes (never is failing: 1).
$as_b rm -f "$file"
published() {
	[ "$(stat -c %u "$file" 2>/dev/null)" = "$a" ]
}
wait_for 10 published || fail "hinit did not publish after the file went"
out=$($as_a "$T/hinit" status --status-file "$file" 2>&1)
expect_eq "hinit status, hinit's file: exit code ($out)" 1 "$?"
expect_match "hinit status: the real reason" "fail \\((starting|unhealthy): never" "$out"

# B squats the name hinit used to write through, then flip turns healthy:
# hinit must still publish it.
$as_b touch "$pub/.app.json.$hpid"
touch "$T/ok"
flip_ready() { $as_a "$T/hinit" status --status-file "$file" flip >/dev/null 2>&1; }
wait_for 15 flip_ready ||
    fail "hinit stopped publishing: $($as_a "$T/hinit" status --status-file "$file" flip 2>&1; cat "$T/err")"
pass "hinit writes through names no other user can guess"
