#!/bin/bash
# Every catchable signal but SIGCHLD and the synchronous ones reaches the
# app; with -g, every process of its group too. SIGTERM reaches it last and
# stops hinit with the app's code.
. "$top_srcdir/tests/lib.sh"

app=$top_srcdir/tests/fixtures/sigrecord.py
# The lowest real-time signal a program may handle: 34 with glibc (it keeps
# 32 and 33), 35 with musl, the static build's (it keeps 32 to 34).
rtmin=RTMIN
static_build && rtmin=RTMIN+1
sigs="HUP USR1 USR2 PIPE ALRM URG XCPU XFSZ VTALRM PROF WINCH IO PWR CONT TSTP TTIN TTOU STKFLT $rtmin RTMIN+3 RTMAX"

run_case() {	# run_case OUT [HINIT OPTIONS]
	local out=$1
	shift
	unshare --pid --fork --kill-child --mount-proc "$HINIT" -q "$@" -- \
	    python3 "$app" "$out" --children 2 &
	upid=$!
	on_exit "kill -9 $upid"
	hpid=$(hinit_pid "$upid") || fail "hinit did not start"
	wait_for 10 test -f "$out.ready" || fail "app not ready"
	wait_for 10 sh -c "ls $out.*.ready | wc -l | grep -qx 2" || fail "children not ready"
	for s in $sigs; do
		kill -s "$s" "$hpid" || fail "kill -$s"
		n=$(kill -l "$s" 2>/dev/null || echo "$s")
		case $s in RTMIN) n=34 ;; RTMIN+1) n=35 ;; RTMIN+3) n=37 ;;
		RTMAX) n=64 ;; esac
		wait_for 5 grep -qx "$n" "$out" || fail "SIG$s did not reach the app"
	done
}

run_case "$T/plain"
for f in "$T"/plain.[0-9]*; do
	case $f in *.ready) continue ;; esac
	[ -s "$f" ] && fail "without -g a child of the app got signals: $(cat "$f")"
done
kill -TERM "$hpid"
wait "$upid"
expect_eq "exit after SIGTERM" 0 "$?"
expect_match "SIGTERM recorded" "15" "$(cat "$T/plain")"
pass "each signal reaches the app"

run_case "$T/group" -g
n=0
for f in "$T"/group.[0-9]*; do
	case $f in *.ready) continue ;; esac
	grep -qx 10 "$f" || fail "-g: child $f did not get SIGUSR1"
	n=$((n + 1))
done
expect_eq "children that got signals" 2 "$n"
kill -TERM "$hpid"
wait "$upid"
pass "-g signals the whole group"

# SIGCHLD sent by kill is not forwarded. Two SIGWINCHes mark the moment:
# the first is sent after the SIGCHLD, and once the app has it, hinit has
# read the SIGCHLD; the second, sent then, reaches the app after whatever
# hinit did with it. (Within one turn hinit may forward in any order.)
run_case "$T/sync"
winches() { grep -cx 28 "$T/sync"; }
n=$(winches)
more_winch() { [ "$(winches)" -gt "$n" ]; }
kill -s CHLD "$hpid"
for _ in 1 2; do
	kill -s WINCH "$hpid"
	wait_for 5 more_winch || fail "SIGWINCH did not reach the app"
	n=$(winches)
done
grep -qx 17 "$T/sync" && fail "SIGCHLD was forwarded: $(cat "$T/sync")"
kill -TERM "$hpid"
wait "$upid"
pass "SIGCHLD is not forwarded"
