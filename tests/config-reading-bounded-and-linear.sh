#!/bin/bash
# Reading the config never ends in a config cut short that starts: a line
# that never ends (a FIFO fed forever) is read only as far as the longest
# line inih takes, and is an error (exit 2), not a growing buffer until
# malloc fails and the part read so far passes for the whole file; a
# read error is an error. Parsing is linear in the number of sections
# (30,000 took 7s when each section looked at all the others). The
# command line's --grace and --drain have the config's bounds, --listen
# its checks in -t as in a run, and an empty --status-file is an error.
. "$top_srcdir/tests/lib.sh"

# Without AddressSanitizer (which maps terabytes of shadow), bound the
# memory, as a container would: a reader without a bound then meets ENOMEM.
asan=0
ldd "$HINIT" | grep -q libasan && asan=1
bounded() {	# bounded COMMAND...: under 1 GB of address space
	if [ $asan = 1 ]; then
		"$@"
	else
		(ulimit -v 1000000; exec "$@")
	fi
}

out=$(bounded timeout 60 "$HINIT" -t -c <(yes '[check:x]' | tr -d '\n') 2>&1)
expect_eq "a line that never ends: -t exit code" 2 "$?"
expect_match "a line that never ends" ":1: line is longer than [0-9]+ bytes" "$out"
out=$(printf '[check:a]\nurl = tcp://127.0.0.1:1\n; ' |
    cat - <(yes 'x' | tr -d '\n') |
    bounded timeout 60 "$HINIT" -c /dev/stdin -- touch "$T/started" 2>&1)
expect_eq "a line that never ends: run exit code" 2 "$?"
expect_match "the line" ":3: line is longer than" "$out"
[ ! -e "$T/started" ] || fail "the app started"
mkdir "$T/dir"
out=$(timeout 10 "$HINIT" -t -c "$T/dir" 2>&1)
expect_eq "a read error: exit code ($out)" 2 "$?"
pass "a line without end, a read error: exit 2, nothing started"

# Linear: 4 times the sections, about 4 times the CPU (quadratic: 16).
timeout 300 /usr/bin/python3 - "$HINIT" "$T" <<'PY' || fail "not linear"
import os, resource, subprocess, sys
hinit, tmp = sys.argv[1], sys.argv[2]

def cpu(n):
    path = "%s/many-%d.ini" % (tmp, n)
    with open(path, "w") as f:
        for i in range(n):
            f.write("[check:c%d]\nurl = tcp://127.0.0.1:1\n" % i)
    best = None
    for _ in range(3):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        r = subprocess.run([hinit, "-t", "-c", path], stdout=subprocess.DEVNULL)
        assert r.returncode == 0, r
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best = t if best is None else min(best, t)
    return best

small, big = cpu(6000), cpu(24000)
print("# 6,000 sections %.3fs, 24,000 %.3fs of CPU: x%.1f" %
      (small, big, big / max(small, 0.001)))
assert big < 8 * max(small, 0.01), (small, big)
PY
pass "parsing is linear in the sections"

# The command line, checked as the config is.
for args in "--grace 25h" "--drain 1d" "--grace bogus" "--listen bogus" \
    "--listen 127.0.0.1:0"; do
	out=$(timeout 10 "$HINIT" -t $args 2>&1)
	expect_eq "-t $args: exit code ($out)" 2 "$?"
	out=$(timeout 10 "$HINIT" $args -- touch "$T/started" 2>&1)
	expect_eq "$args: exit code ($out)" 2 "$?"
done
out=$(timeout 10 "$HINIT" -t --status-file '' 2>&1)
expect_eq "--status-file '': exit code" 2 "$?"
expect_match "--status-file ''" "empty" "$out"
[ ! -e "$T/started" ] || fail "the app started"
out=$(timeout 10 "$HINIT" -t --grace 24h --drain 1s --listen :8081 2>&1)
expect_eq "good options: exit code ($out)" 0 "$?"
expect_match "--grace shown" $'\ngrace = 24h\n' "$out"
expect_match "--listen shown" $'\nlisten = :8081\n' "$out"
pass "command-line options have the config's bounds and checks"
