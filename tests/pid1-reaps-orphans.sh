#!/bin/bash
# 2,000 orphans handed to PID 1 are all reaped while the app still runs:
# the app, tests/orphans (bench/orphans.c), makes them by double forks,
# then waits until no process of the namespace is left but hinit and
# itself, and exits 1 if some are still there at its time limit.
. "$top_srcdir/tests/lib.sh"

limit=$(slow 30)
out=$(timeout $((limit + 30)) unshare --pid --fork --kill-child --mount-proc \
    "$HINIT" -q -- "$top_builddir/tests/orphans" 2000 "$limit" 2>&1)
rc=$?
expect_eq "exit of the app ($out)" 0 "$rc"
read -r _ last _ <<<"$out"
pass "2,000 orphans reaped (the last ${last}ms after the last fork)"
