#!/bin/bash
# On a full disk hinit cannot replace its status file, and the last one it
# wrote stayed: "pass" while the app failed, and hinit status said 0 until
# the file turned stale (15s), then 1 for good. A write that fails takes
# the old file away (the room it frees is often enough to write the new
# one), so hinit status never says 0 for a check that fails; once there
# is room again the file says what is true.
. "$top_srcdir/tests/lib.sh"

mkdir "$T/small"
touch "$T/ok"
cat >"$T/hinit.ini" <<INI
[check:x]
command = test -f $T/ok
interval = 100ms
retries = 1
INI
# In a mount namespace of its own: a 16 KiB tmpfs for the status file.
cat >"$T/run.sh" <<SH
mount --make-rprivate / &&
    mount -t tmpfs -o size=16k,mode=0700 tmpfs "$T/small" || exit 99
exec "$HINIT" -c "$T/hinit.ini" --status-file "$T/small/s.json" \\
    -- sleep 1000
SH
unshare --mount --pid --fork --kill-child --mount-proc bash "$T/run.sh" \
    2>"$T/err" &
upid=$!
on_exit "kill -9 $upid"
hinit_pid=$(hinit_pid $upid) || fail "hinit did not start: $(cat "$T/err")"
# The tmpfs is in hinit's namespaces (its /proc too): work there.
in_ns() { nsenter -t "$hinit_pid" -m -p -- "$@"; }
dir=$T/small
st() {
	timeout 5 nsenter -t "$hinit_pid" -m -p -- "$HINIT" status \
	    --status-file "$dir/s.json" >"$T/out" 2>&1
	echo $?
}
ready() { [ "$(st)" = 0 ]; }
wait_for 10 ready || fail "not ready: $(cat "$T/out" "$T/err")"

# Fill the disk, then fail the check.
in_ns dd if=/dev/zero of="$dir/fill" bs=1k count=64 2>/dev/null
[ "$(in_ns df --output=avail "$dir" | tail -1)" -eq 0 ] ||
    fail "not full: $(in_ns df "$dir")"
rm "$T/ok"
wait_for 10 grep -q 'check x: unhealthy' "$T/err" ||
    fail "no failure: $(cat "$T/err")"
for i in $(seq 20); do
	[ "$(st)" = 0 ] && fail "hinit status says 0 for a failing check:" \
	    "$(cat "$T/out"; in_ns ls -l "$dir"; cat "$T/err")"
	sleep 0.1
done
note "with the disk full: $(tr '\n' ' ' <"$T/out")"
pass "a full disk leaves no old pass behind"

# Room again, and the check passes again: the truth.
in_ns rm "$dir/fill"
touch "$T/ok"
wait_for 15 ready || fail "not ready again: $(cat "$T/out" "$T/err")"
pass "with room again, the file says what is true"
