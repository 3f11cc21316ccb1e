#!/bin/bash
# Before a restart, what the old app left is ended: its children in its
# process group or in a session of their own get SIGTERM, SIGKILL after the
# grace if they ignore it, and only then does the app start again, so a
# server child of the old app no longer holds the port the new one binds
# ("npm start" dies, its "node" keeps port 3000). The log names what was
# killed. A daemon a task started before the app is left alone. As PID 1
# and not.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
# The app's server: binds the port, says whether it could, and stays.
cat >"$T/server.py" <<'PY'
import os, signal, socket, sys
port, out, mode = int(sys.argv[1]), sys.argv[2], sys.argv[3]
if mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", port))
    s.listen(8)
    what = "bound"
except OSError as e:
    what = "bind: " + e.strerror
with open(out, "a") as f:
    f.write(what + "\n")
while True:
    signal.pause()
PY
# The app: start the server (in the background, or in a session of its
# own), wait for its word, then die and leave it running.
cat >"$T/app.sh" <<'SH'
T=$1 port=$2 mode=$3
echo run >>"$T/runs"
if [ "$mode" = session ]; then
	setsid /usr/bin/python3 "$T/server.py" "$port" "$T/binds" "$mode" &
else
	/usr/bin/python3 "$T/server.py" "$port" "$T/binds" "$mode" &
fi
while [ "$(wc -l <"$T/binds")" -lt "$(wc -l <"$T/runs")" ]; do
	sleep 0.02
done
exit 1
SH

# restarts MODE HINIT...: three runs of the app, each server binds.
restarts() {
	local mode=$1 what
	shift
	what="$mode, $(basename "$1")"
	: >"$T/runs"
	: >"$T/binds"
	cat >"$T/hinit.ini" <<INI
[hinit]
restart = always
restart_delay = 100ms
grace = 1s
status_file = $T/status.json
[task:daemon]
command = sleep 600.$$ >/dev/null 2>&1 & echo \$! >$T/daemon
INI
	"$@" -c "$T/hinit.ini" -- sh "$T/app.sh" "$T" "$port" "$mode" \
	    2>"$T/log" &
	job=$!
	on_exit "kill -KILL $job"
	# unshare ignores SIGTERM: the hinit it runs.
	hinit=$job
	if [ "$1" = unshare ]; then
		wait_for 5 pgrep -P $job -x hinit || fail "$what: no hinit"
		hinit=$(pgrep -P $job -x hinit)
	fi
	wait_for 30 sh -c "[ \$(wc -l <$T/binds) -ge 3 ]" ||
	    fail "$what: three runs expected: $(cat "$T/binds" "$T/log")"
	# The daemon the task left is still there.
	grep -q "SIGTERM to sleep" "$T/log" &&
	    fail "$what: the task's daemon got SIGTERM: $(cat "$T/log")"
	kill -TERM $hinit
	wait $job
	cat "$T/log"
	expect_eq "$what: the server of each run" "bound bound bound" \
	    "$(head -3 "$T/binds" | tr '\n' ' ' | sed 's/ $//')"
	grep -q "sh left 1 process: SIGTERM to python3 ([0-9]*)" "$T/log" ||
	    fail "$what: the log does not say what got SIGTERM"
	if [ "$mode" = stubborn ]; then
		grep -q "grace of 1s is over: SIGKILL to python3 ([0-9]*)" \
		    "$T/log" || fail "$what: the log does not say what got SIGKILL"
	fi
	pgrep -f "^sleep 600.$$\$" >/dev/null &&
	    fail "$what: hinit's exit left the daemon"
	pass "$what: the old server is gone before each restart"
}

for mode in group stubborn session; do
	restarts $mode unshare --pid --fork --kill-child --mount-proc "$HINIT"
	restarts $mode "$HINIT"
done
