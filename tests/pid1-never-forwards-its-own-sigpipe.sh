#!/bin/bash
# SIGPIPE and SIGXFSZ that hinit raises itself (its stderr a pipe whose
# reader exited, its log past RLIMIT_FSIZE) are hinit's, never the app's:
# the app runs on and its exit code comes through, with -vv too (every log
# line then raises one), as PID 1 and not. The app still gets the SIGPIPE
# disposition hinit was given. (A SIGPIPE that another process sends is
# forwarded: tests/pid1-forwards-signals.sh.)
. "$top_srcdir/tests/lib.sh"

# An exec check that turns unhealthy once the log reader is gone, so that
# hinit writes a line after that; the app waits for it, then runs 1s more.
cat >"$T/pipe.ini" <<INI
[hinit]
status_file = $T/status.json
[check:reader]
command = test ! -f $T/gone
interval = 100ms
retries = 1
INI
app="trap 'echo PIPE >>$T/app-signals' PIPE
while [ ! -f $T/gone ]; do sleep 0.05; done
sleep 1
exit 7"

# broken_pipe CASE COMMAND...: COMMAND's stderr goes to a reader that takes
# one line, closes the pipe and says so ($T/gone).
broken_pipe() {
	local case=$1
	shift
	rm -f "$T/gone" "$T/app-signals"
	{ timeout 30 "$@" -c "$T/pipe.ini" -- sh -c "$app"
	    echo $? >"$T/$case.rc"; } 2>&1 >/dev/null | /usr/bin/python3 -c '
import os, sys
sys.stdin.readline()
os.close(0)
open(sys.argv[1], "w").close()
' "$T/gone"
	[ -f "$T/gone" ] || fail "$case: the reader never saw a line"
	expect_eq "$case: the app's exit code" 7 "$(cat "$T/$case.rc")"
	[ -f "$T/app-signals" ] &&
	    fail "$case: the app got SIGPIPE $(wc -l <"$T/app-signals") times"
	pass "$case: stderr's reader gone, the app runs on and exits 7"
}
in_ns="unshare --pid --fork --kill-child --mount-proc $HINIT"
broken_pipe "PID 1" $in_ns
broken_pipe "PID 1, -vv" $in_ns -vv
broken_pipe "not PID 1" "$HINIT"
broken_pipe "not PID 1, -vv" "$HINIT" -vv

# SIGXFSZ: the log is a file of at most 1 KiB, which -vv fills in a moment.
cat >"$T/fsz.ini" <<INI
[hinit]
status_file = $T/fsz.json
[check:chatty]
command = true
interval = 50ms
INI
( ulimit -f 1
  timeout 30 unshare --pid --fork --kill-child --mount-proc "$HINIT" -vv \
      -c "$T/fsz.ini" -- sh -c 'sleep 1.5; exit 7' 2>"$T/fsz.log" )
expect_eq "RLIMIT_FSIZE reached: the app's exit code" 7 "$?"
expect_eq "the log filled its limit" 1024 "$(stat -c %s "$T/fsz.log")"
pass "SIGXFSZ of hinit's own log is not forwarded"

# The app gets SIGPIPE as hinit got it: ignored, or not.
status='grep -E "^Sig(Blk|Ign)" /proc/self/status'
want=$(trap '' PIPE; sh -c "$status")
got=$(trap '' PIPE; pid1 -q -- sh -c "$status")
expect_eq "SIGPIPE ignored by hinit's parent" "$want" "$got"
pipe_bit=$((1 << (13 - 1)))
ign=$(echo "$got" | sed -n 's/^SigIgn:\t*//p')
(( 0x$ign & pipe_bit )) || fail "SIGPIPE not ignored in the app: $got"
want=$(sh -c "$status")
got=$(pid1 -q -- sh -c "$status")
expect_eq "SIGPIPE left alone by hinit's parent" "$want" "$got"
ign=$(echo "$got" | sed -n 's/^SigIgn:\t*//p')
(( 0x$ign & pipe_bit )) && fail "SIGPIPE ignored in the app: $got"
pass "the app gets the SIGPIPE disposition hinit inherited"
