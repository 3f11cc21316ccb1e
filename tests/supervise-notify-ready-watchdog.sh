#!/bin/bash
# notify = yes: the app gets NOTIFY_SOCKET (and WATCHDOG_USEC) and a check
# named app follows what it says over the sd_notify protocol: starting until
# READY=1, STATUS= as its output, a missed WATCHDOG=1 makes it unhealthy and
# on_unhealthy = restart restarts the app, which is starting again until it
# says READY=1 anew. Messages from outside the app's process group, over
# 4 KiB, or carrying descriptors change nothing (the descriptors are
# closed); STOPPING=1 reports the app stopping without a restart. The app
# also gets HINIT_STATUS_FILE, where hinit writes its status. As PID 1.
. "$top_srcdir/tests/lib.sh"
PY=$PYTHON

cat >"$T/hinit.ini" <<INI
[hinit]
notify = yes
watchdog = 500ms
on_unhealthy = restart
restart_delay = 100ms
grace = 2s
status_file = $T/status.json
INI

# app_field FIELD: of check app in the status file (output: the last
# attempt's, as a passing check has no "output").
app_field() {
	$PY -c 'import json, sys
d = json.load(open(sys.argv[1]))
c = d["checks"]["app:responseTime"][0]
log = c["hinit:log"]
v = {"state": c["hinit:state"], "output": log[-1]["output"] if log else "",
     "restarts": d["hinit:app"]["restarts"]}[sys.argv[2]]
print(v)' "$T/status.json" "$1" 2>/dev/null
}
app_is() { [ "$(app_field "$1")" = "$2" ]; }
starts() { wc -l <"$T/starts" 2>/dev/null || echo 0; }

: >"$T/starts"
# unshare itself in the background: killing it kills the namespace.
unshare --pid --fork --kill-child --mount-proc "$HINIT" -vv -c "$T/hinit.ini" \
    -- $PY "$top_srcdir/tests/fixtures/notifyapp.py" "$T" 2>"$T/err" &
upid=$!
on_exit "kill -KILL $upid"
wait_for 10 test -s "$T/starts" || fail "the app did not start: $(cat "$T/err")"
read -r watchdog_usec sock status_file <"$T/starts"
expect_eq "WATCHDOG_USEC" 500000 "$watchdog_usec"
expect_eq "HINIT_STATUS_FILE" "$T/status.json" "$status_file"
expect_match "NOTIFY_SOCKET" '^@hinit-notify-' "$sock"
wait_for 10 app_is state starting || fail "no check app: $(cat "$T/err")"

# READY=1 from a process outside the app's group: ignored.
$PY -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"READY=1", "\0" + sys.argv[1][1:])' "$sock"
wait_for 10 grep -q "notify: ignoring messages from pid" "$T/err" ||
    fail "a stranger's message was not refused: $(cat "$T/err")"
expect_eq "after a stranger's READY=1" starting "$(app_field state)"
pass "a stranger's READY=1 is ignored"

touch "$T/ping" "$T/ready"
wait_for 10 app_is state healthy || fail "READY=1 did not make it healthy: $(cat "$T/status.json")"
expect_eq "STATUS= is the output" serving "$(app_field output)"
pass "READY=1 makes it healthy, STATUS= is its output"

# Over 4 KiB: ignored; the next one is taken.
$PY -c 'print("STATUS=" + "x" * 5000, end="")' >"$T/say.new"
mv "$T/say.new" "$T/say"
wait_for 10 sh -c "! test -e $T/say" || fail "the app did not send it"
echo "STATUS=after the big one" >"$T/say.new"; mv "$T/say.new" "$T/say"
wait_for 10 app_is output "after the big one" ||
    fail "no message after the big one: $(app_field output)"
grep -q "notify: a message of 5007 bytes ignored" "$T/err" ||
    fail "the big message was not ignored: $(grep notify "$T/err")"
pass "a message over 4 KiB is ignored"

# Descriptors passed along are closed.
for hpid in $(pgrep -x hinit); do
	grep -qF "$T/hinit.ini" /proc/"$hpid"/cmdline 2>/dev/null && break
done
grep -qF "$T/hinit.ini" /proc/"$hpid"/cmdline || fail "no hinit"
before=$(ls /proc/"$hpid"/fd | wc -l)
touch "$T/fds"
wait_for 10 app_is output "with descriptors" || fail "no message with descriptors"
after=$(ls /proc/"$hpid"/fd | wc -l)
expect_eq "hinit's descriptors after 16 were passed" "$before" "$after"
pass "descriptors passed with a message are closed"

# The watchdog: no WATCHDOG=1 for 500ms: unhealthy, then a restart.
rm -f "$T/ping"
wait_for 10 sh -c "[ \$(wc -l <$T/starts) -ge 2 ]" ||
    fail "a missed watchdog did not restart the app: $(cat "$T/err")"
touch "$T/ping"
grep -q "check app: unhealthy after 1 failure: no WATCHDOG=1 for 500ms" "$T/err" ||
    fail "no watchdog line: $(grep 'check app' "$T/err")"
grep -q "check app is unhealthy: restarting the app" "$T/err" || fail "no restart line"
wait_for 10 app_is state healthy || fail "the new app is not healthy: $(cat "$T/status.json")"
expect_eq "restarts" 1 "$(app_field restarts)"
pass "a missed WATCHDOG=1 makes it unhealthy and restarts the app"

# STOPPING=1: reported, never restarted; the app's exit decides.
touch "$T/stop"
wait_for 20 sh -c "! kill -0 $upid" ||
    fail "hinit did not exit after STOPPING=1 and the app's exit: $(grep 'check app\|restart' "$T/err")"
wait $upid
expect_eq "exit code after STOPPING=1 and exit 0" 0 "$?"
grep -q "check app: unhealthy after 1 failure: stopping" "$T/err" ||
    fail "STOPPING=1 was not reported: $(grep 'check app' "$T/err")"
expect_eq "starts" 2 "$(starts)"
pass "STOPPING=1 is reported and does not restart the app"
