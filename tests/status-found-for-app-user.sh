#!/bin/bash
# Without --status-file, hinit writes /run/hinit/status.json, else
# $XDG_RUNTIME_DIR/hinit/, else /tmp/hinit-UID/ (each 0700, owned by it),
# and `hinit status` run as root finds the file of an hinit that runs as
# PID 1 under another user (a Dockerfile's USER node), as HEALTHCHECK does.
. "$top_srcdir/tests/lib.sh"

uid=$((40000 + $$ % 20000))
tmpdir=/tmp/hinit-$uid
[ -e "$tmpdir" ] && fail "$tmpdir exists already"
on_exit "rm -rf $tmpdir"
# A copy any user may run, wherever the build tree is.
cp "$HINIT" "$T/hinit"
chmod 755 "$T/hinit"

# run_pid1 SETUP USER-ARGS...: hinit as PID 1 of new pid and mount
# namespaces, after SETUP (a shell command) ran there as root.
run_pid1() {
	local setup=$1
	shift
	unshare --pid --fork --kill-child --mount-proc \
	    sh -c "$setup"' && exec "$@"' sh "$@" -- sleep 1000 2>"$T/err" &
	unshare_pid=$!
	on_exit "kill -9 $unshare_pid"
	wait_for 5 pgrep -P $unshare_pid || fail "hinit did not start"
	hinit_pid=$(pgrep -P $unshare_pid)
	# A change of user clears the parent-death signal: kill it by pid.
	on_exit "kill -9 $hinit_pid"
}
stop_pid1() {
	kill -9 "$hinit_pid" "$unshare_pid"
	wait "$unshare_pid" 2>/dev/null
	wait_for 5 ! kill -0 "$hinit_pid" 2>/dev/null
}
# hinit status from inside the namespaces, as docker exec does.
status_inside() {
	timeout 5 nsenter -t "$hinit_pid" -p -m "$T/hinit" status "$@"
}
as_user="setpriv --reuid=$uid --regid=$uid --clear-groups env -u XDG_RUNTIME_DIR"

# root, default place: /run/hinit (a private /run, not the machine's).
run_pid1 "mount -t tmpfs -o mode=755 tmpfs /run" "$T/hinit"
wait_for 5 status_inside || fail "root: not found in /run/hinit: $(status_inside 2>&1)"
mode=$(nsenter -t "$hinit_pid" -m stat -c '%a %u' /run/hinit)
expect_eq "/run/hinit mode and owner" "700 0" "$mode"
stop_pid1
pass "root: /run/hinit/status.json"

# USER node: /run/hinit cannot be made, no XDG_RUNTIME_DIR: /tmp/hinit-UID.
run_pid1 "mount -t tmpfs -o mode=755 tmpfs /run" $as_user "$T/hinit"
wait_for 5 status_inside || fail "user: not found: $(status_inside 2>&1)"
status_inside >"$T/out"
expect_eq "$tmpdir mode and owner" "700 $uid" "$(stat -c '%a %u' "$tmpdir")"
expect_eq "file owner" "$uid" "$(stat -c '%u' "$tmpdir/status.json")"
expect_match "hinit status line" '^ready: pass' "$(cat "$T/out")"
stop_pid1
pass "another user: /tmp/hinit-UID, found by root"

# USER node with XDG_RUNTIME_DIR (read from PID 1's environment).
mkdir -m 700 "$T/xdg"
chown "$uid:$uid" "$T/xdg"
rm -rf "$tmpdir"
run_pid1 "mount -t tmpfs -o mode=755 tmpfs /run" \
    setpriv --reuid=$uid --regid=$uid --clear-groups \
    env XDG_RUNTIME_DIR="$T/xdg" "$T/hinit"
wait_for 5 status_inside || fail "xdg: not found: $(status_inside 2>&1)"
[ -f "$T/xdg/hinit/status.json" ] || fail "not in \$XDG_RUNTIME_DIR/hinit"
[ -e "$tmpdir" ] && fail "$tmpdir made though XDG_RUNTIME_DIR was usable"
stop_pid1
pass "another user: \$XDG_RUNTIME_DIR/hinit"

# A link planted where /tmp/hinit-UID goes: refused, nothing written
# through it; hinit runs on and says why; hinit status says 1.
mkdir -m 700 "$T/evil"
chown "$uid:$uid" "$T/evil"
ln -s "$T/evil" "$tmpdir"
run_pid1 "mount -t tmpfs -o mode=755 tmpfs /run" $as_user "$T/hinit"
wait_for 5 grep -q 'symbolic link' "$T/err" || fail "no warning: $(cat "$T/err")"
sleep 0.5	# not to wait for something: a moment to give up in, if it would
kill -0 "$hinit_pid" || fail "hinit gave up"
[ -z "$(ls -A "$T/evil")" ] || fail "written through the link: $(ls -A "$T/evil")"
status_inside >/dev/null 2>&1
expect_eq "hinit status without a file" 1 "$?"
stop_pid1
rm -f "$tmpdir"
pass "a planted /tmp/hinit-UID link is refused"

# A link planted at $XDG_RUNTIME_DIR/hinit: fall back to /tmp/hinit-UID.
mkdir -m 700 "$T/evil2"
chown "$uid:$uid" "$T/evil2"
rm -rf "$T/xdg/hinit"
ln -s "$T/evil2" "$T/xdg/hinit"
run_pid1 "mount -t tmpfs -o mode=755 tmpfs /run" \
    setpriv --reuid=$uid --regid=$uid --clear-groups \
    env XDG_RUNTIME_DIR="$T/xdg" "$T/hinit"
wait_for 5 status_inside || fail "no fall-back: $(status_inside 2>&1)"
[ -f "$tmpdir/status.json" ] || fail "not in $tmpdir"
[ -z "$(ls -A "$T/evil2")" ] || fail "written through the link"
stop_pid1
pass "a planted \$XDG_RUNTIME_DIR/hinit link: fall back to /tmp"

# /tmp/hinit-UID made by someone else (root here): refused.
rm -rf "$tmpdir"
mkdir -m 755 "$tmpdir"
run_pid1 "mount -t tmpfs -o mode=755 tmpfs /run" $as_user "$T/hinit"
wait_for 5 grep -q 'owned by uid 0' "$T/err" || fail "no warning: $(cat "$T/err")"
[ -z "$(ls -A "$tmpdir")" ] || fail "written into a directory of root's"
stop_pid1
pass "a /tmp/hinit-UID of another owner is refused"
