#!/bin/bash
# ${VAR} in a command (an exec check, a task, hinit check and hinit wait
# exec: targets) reaches /bin/sh through the environment: the command line
# of every process, which any user reads with ps or in /proc/PID/cmdline,
# never holds the value; and a value holding quotes, $( ) or backquotes is
# data for the shell, never code: the command gets it byte for byte.
. "$top_srcdir/tests/lib.sh"

mkdir -p "$T/out"
chmod 777 "$T/out"
export TOKEN='Tk-SeCrEt "q" '\''s'\'' $(touch '"$T"'/out/pwned) `touch '"$T"'/out/pwned2` $HOME ;'
export DFLT_SET=Df-SeCrEt-set
cat >"$T/hinit.ini" <<INI
[check:cmd]
command = sleep 2; printf '%s|%s|%s' "\${TOKEN}" "\${DFLT_SET:-x}" "\${NOPE_UNSET:-dflt}" >$T/out/check
interval = 200ms
timeout = 10s
[task:t]
command = sleep 2; printf '%s' "\${TOKEN}" >$T/out/task
INI

# The command lines of this test's processes (those naming $T: other
# tests on the machine may hold the same words), as another user reads
# them: with ps, and in /proc. On a loaded machine the command can end
# while they are read (2 s of sleep against a walk of /proc): read again
# until both caught it.
argv_seen() {
	local f i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		runuser -u nobody -- ps -eo args 2>&1 | grep -F "$T" >"$T/ps.$1"
		for f in /proc/[0-9]*/cmdline; do
			tr '\0' ' ' 2>/dev/null <"$f"
			echo
		done | grep -F "$T" >"$T/cmdline.$1"
		grep -q printf "$T/ps.$1" && grep -q printf "$T/cmdline.$1" &&
		    return 0
		sleep 0.2
	done
}

pid1 -c "$T/hinit.ini" --status-file "$T/s.json" -- sleep 30 2>"$T/err" &
upid=$!
on_exit "kill -9 $upid"
wait_for 10 pgrep -f "^sh -c sleep 2.*$T/out/task" ||
    fail "the task did not start: $(cat "$T/err")"
argv_seen task
wait_for 10 test -s "$T/out/task" || fail "the task wrote nothing: $(cat "$T/err")"
wait_for 10 pgrep -f "^sh -c sleep 2.*$T/out/check" || fail "the check did not start"
argv_seen check
wait_for 10 test -s "$T/out/check" || fail "the check wrote nothing"
kill -TERM "$upid"

# The one-shot commands, while their command runs.
timeout 20 "$HINIT" check "exec:sleep 2; printf '%s' \"\${TOKEN}\" >$T/out/oneshot" \
    >"$T/check.out" 2>&1 &
cpid=$!
timeout 20 "$HINIT" wait --timeout 10s --interval 4s \
    "exec:sleep 2; printf '%s' \"\${TOKEN}\" >$T/out/wait" >"$T/wait.out" 2>&1 &
wpid=$!
wait_for 10 pgrep -f "^sh -c sleep 2.*$T/out/wait" ||
    fail "hinit wait's command did not start"
argv_seen oneshot
wait $cpid || fail "hinit check: $(cat "$T/check.out")"
wait $wpid || fail "hinit wait: $(cat "$T/wait.out")"

for f in task check oneshot wait; do
	expect_eq "what $f's command got" "$TOKEN" "$(cut -d'|' -f1 "$T/out/$f")"
done
expect_eq "defaults" "$DFLT_SET|dflt" "$(cut -d'|' -f2- "$T/out/check")"
[ ! -e "$T/out/pwned" ] && [ ! -e "$T/out/pwned2" ] ||
    fail "a value from the environment ran as shell code"
for f in "$T"/ps.* "$T"/cmdline.*; do
	grep -q 'printf' "$f" || fail "$f: the commands were not seen"
	if grep -F -e 'SeCrEt' "$f"; then
		fail "$(basename "$f"): a value from the environment in a command line"
	fi
done
grep -qF "\${TOKEN}" "$T/ps.task" || fail "the task's command line is not as written"
pass "values of \${VAR} stay out of command lines and are never shell code"
