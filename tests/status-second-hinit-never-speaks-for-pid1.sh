#!/bin/bash
# A second hinit in the container of the one that is PID 1 (docker exec
# app hinit -- ./migrate.sh, a script wrapping a one-off command in hinit)
# used the same usual place for its status file: it removed PID 1's file
# at start and wrote its own, and hinit status answered 0, "ready: pass
# (healthy)", for an app whose check failed, then the second hinit's last
# word once it was gone. A usual place is now one hinit's (a lock held
# while it runs): the second writes to the next place, and hinit status
# keeps reading PID 1's.
. "$top_srcdir/tests/lib.sh"

# A container's namespaces: pid, and mount with /run and /tmp of its own.
# The build tree may be under /tmp (CI clones there): hinit is copied to
# the new /run first, and run from there inside.
bin=/run/bin/hinit
cat >"$T/run.sh" <<SH
mount --make-rprivate / &&
    mount -t tmpfs -o mode=755 tmpfs /run &&
    mkdir /run/bin && cp "$HINIT" $bin &&
    mount -t tmpfs -o mode=1777 tmpfs /tmp || exit 99
exec $bin --check 'bad=exec:false' -- sleep 1000
SH
unshare --mount --pid --fork --kill-child --mount-proc bash "$T/run.sh" \
    2>"$T/err" &
upid=$!
on_exit "kill -9 $upid"
hinit_pid=$(hinit_pid $upid) || fail "hinit did not start: $(cat "$T/err")"
inside() { nsenter -t "$hinit_pid" -m -p -- "$@"; }
st() { timeout 5 nsenter -t "$hinit_pid" -m -p -- $bin status \
    >"$T/out" 2>&1; echo $?; }
wait_for 10 inside test -s /run/hinit/status.json || fail "no status file"
expect_eq "PID 1's app fails its check" 1 "$(st)"

inside $bin -- sh -c 'touch /run/second-up
    until [ -e /run/stop-second ]; do sleep 0.1; done' 2>"$T/second" &
second=$!
on_exit "kill $second"
wait_for 10 inside test -e /run/second-up ||
    fail "the second hinit's app did not start: $(cat "$T/second")"
for i in $(seq 20); do
	[ "$(st)" = 0 ] && fail "with a second hinit, hinit status says 0:" \
	    "$(cat "$T/out")"
	sleep 0.1
done
expect_match "PID 1's document" 'starting: bad' "$(cat "$T/out")"
inside test -s /tmp/hinit-0/status.json ||
    fail "the second hinit wrote no file of its own: $(cat "$T/second")"
inside touch /run/stop-second
wait "$second"
expect_eq "hinit status, the second gone ($(cat "$T/out"))" 1 "$(st)"
expect_match "PID 1's document" 'starting: bad' "$(cat "$T/out")"
pass "a second hinit never speaks for the one that is PID 1"
