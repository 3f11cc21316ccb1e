#!/bin/bash
# "url = ${HEALTH_URL}" is a target the environment gives; when it said
# "exec:...", hinit ran that command: the variable's value on the command
# line of /bin/sh, which ps shows every user (the promise is that a
# variable reaches a command through the environment, never argv), and
# whatever the environment says run as a check. It is a config error now,
# in -t and in a real run, that shows no part of the value; a command
# written as such (exec:... or command =) still takes variables.
. "$top_srcdir/tests/lib.sh"

export U="exec:touch $T/ran; echo SeCrEt-in-argv"
cat >"$T/a.ini" <<'INI'
[check:x]
url = ${U}
interval = 100ms
INI
out=$(timeout 10 "$HINIT" -t -c "$T/a.ini" 2>&1)
expect_eq "-t exit code ($out)" 2 "$?"
expect_match "-t error" "a.ini:2: \[check:x\] url: a variable cannot make the target a command" "$out"
out=$(timeout 10 "$HINIT" -c "$T/a.ini" -- sleep 1 2>&1)
expect_eq "run exit code ($out)" 2 "$?"
[ ! -e "$T/ran" ] || fail "the variable's command ran"
case $out in *SeCrEt*) fail "the value is shown: $out" ;; esac
# Put together from pieces, the same.
export A=EXEC: B="touch $T/ran"
printf '[check:x]\nurl = ${A}${B}\n' >"$T/b.ini"
out=$(timeout 10 "$HINIT" -t -c "$T/b.ini" 2>&1)
expect_eq "-t exit code, pieces ($out)" 2 "$?"
pass "a variable cannot turn a target into a command"

# Written as a command, variables still reach it, out of argv.
export TOKEN=Tk-urlcmd-SeCrEt EXPECTED=Tk-urlcmd-SeCrEt
cat >"$T/c.ini" <<INI
[check:x]
url = exec:test "\${TOKEN}" = "\$EXPECTED" && touch $T/ok && sleep 30
interval = 100ms
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/c.ini" \
    --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
wait_for 10 test -e "$T/ok" || fail "exec: with a variable: $(cat "$T/err")"
ps -eo args | grep -q '[T]k-SeCrEt' && fail "the value is on a command line: $(ps -eo args | grep '[T]k-SeCrEt')"
pass "exec:COMMAND written in the file takes variables through the environment"
