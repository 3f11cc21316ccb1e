#!/bin/bash
# As PID 1, hinit exits with the app's code, for every code 0-255, with
# 128+N when the app dies by signal N, and 0 for codes listed with -e.
. "$top_srcdir/tests/lib.sh"

for code in $(seq 0 255); do
	pid1 -q -- sh -c "exit $code"
	expect_eq "exit $code" "$code" "$?"
done
pass "exit codes 0-255"

# The app gets the dispositions hinit inherited, and a runner under nohup
# ignores SIGHUP: env gives the shell the default action of each.
for sig in HUP INT KILL SEGV TERM USR1; do
	pid1 -q -- env --default-signal sh -c "kill -$sig \$\$"
	rc=$?
	expect_eq "killed by SIG$sig" "$((128 + $(kill -l $sig)))" "$rc"
done
pass "128+N for death by signal N"

pid1 -q -e 143 -e 3 -- sh -c 'kill -TERM $$'
expect_eq "-e 143" 0 "$?"
pid1 -q -e 143 -e 3 -- sh -c 'exit 3'
expect_eq "-e 3" 0 "$?"
pid1 -q -e 143 -- sh -c 'exit 4'
expect_eq "-e 143 leaves 4" 4 "$?"
pid1 -q -e 256 -- true 2>/dev/null
expect_eq "-e 256 is a usage error" 2 "$?"
pass "-e"
