#!/bin/bash
# Every real-time signal reaches the app by number, from SIGRTMIN to
# SIGRTMAX as hinit's C library has them (glibc and musl differ), and each
# instance sent reaches it: real-time signals queue, and five sent while
# hinit could not read them are five for the app, in order.
. "$top_srcdir/tests/lib.sh"

read -r rtmin rtmax < <("$top_builddir/tests/sigrt") || fail "tests/sigrt"
[ "$rtmin" -ge 32 ] && [ "$rtmax" -gt "$rtmin" ] ||
    fail "SIGRTMIN $rtmin, SIGRTMAX $rtmax"
note "SIGRTMIN $rtmin, SIGRTMAX $rtmax"

out=$T/signals
unshare --pid --fork --kill-child --mount-proc "$HINIT" -q -- \
    /usr/bin/python3 -W ignore::RuntimeWarning \
    "$top_srcdir/tests/fixtures/sigrecord.py" "$out" &
upid=$!
on_exit "kill -9 $upid"
for _ in $(seq 100); do
	hpid=$(pgrep -P "$upid" -x hinit) && break
	sleep 0.05
done
[ -n "$hpid" ] || fail "hinit did not start"
wait_for 10 test -f "$out.ready" || fail "the app is not ready"

for ((n = rtmin; n <= rtmax; n++)); do
	kill -s "$n" "$hpid" || fail "kill -$n"
	wait_for 5 grep -qx "$n" "$out" || fail "signal $n did not reach the app"
done
expect_eq "signals recorded" "$(seq "$rtmin" "$rtmax")" "$(cat "$out")"
pass "signals $rtmin to $rtmax each reach the app by number"

# Queued while hinit is stopped: every instance is forwarded.
: >"$out"
kill -STOP "$hpid"
wait_for 5 grep -q '^State:.*T' "/proc/$hpid/status" || fail "hinit not stopped"
for s in 1 1 1 1 1 2 2 2; do
	kill -s $((rtmin + s)) "$hpid"
done
kill -CONT "$hpid"
wait_for 5 sh -c "[ \$(grep -cx $((rtmin + 2)) $out) -ge 3 ]" ||
    fail "three of $((rtmin + 2)) expected: $(tr '\n' ' ' <"$out")"
sleep 0.2
got=$(grep -v -x "$(kill -l CONT)" "$out" | tr '\n' ' ')
a=$((rtmin + 1)) b=$((rtmin + 2))
expect_eq "instances forwarded" "$a $a $a $a $a $b $b $b " "$got"
pass "each instance of a real-time signal is forwarded"

kill -TERM "$hpid"
wait "$upid"
expect_eq "exit after SIGTERM" 0 "$?"
