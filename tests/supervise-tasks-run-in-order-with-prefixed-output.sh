#!/bin/bash
# Tasks run one at a time in file order before the app, each after its own
# wait checks are healthy, each in its own process group with stdin from
# /dev/null; stdout and stderr come out on hinit's stderr line by line as
# "NAME: line" (JSON objects with --log-format json), never on stdout.
. "$top_srcdir/tests/lib.sh"

cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json

[check:flag]
command = test -f $T/flag
interval = 100ms

[task:first]
command = echo "one \$\$ \$(ps -o pgid= \$\$ | tr -d ' ')"; echo to-stderr >&2; printf 'no newline'; sh $T/flag.sh >/dev/null 2>&1 & cat
[task:second]
command = echo two; date +%s.%N >$T/second-ran
wait = flag
[task:third]
command = head -c 10000 /dev/zero | tr '\\0' x; echo; echo three
INI

# The first task leaves behind what makes flag pass, once the second task
# waits for it.
cat >"$T/flag.sh" <<SH
wait-for 20 sh -c "test -e $T/flag || grep -q 'task second: waiting for flag' $T/err"
touch $T/flag
SH
# hinit's stdin never ends: "cat" in the first task ends only on /dev/null.
mkfifo "$T/stdin"
exec 3<>"$T/stdin"
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -- sh -c "date +%s.%N >$T/app-ran; echo app-out" \
    >"$T/out" 2>"$T/err" <&3
expect_eq "exit code" 0 "$?"
expect_eq "stdout holds the app's output only" "app-out" "$(cat "$T/out")"
grep -E '^(first|second|third): ' "$T/err" | grep -v xxxx >"$T/lines"
read -r _ tpid tpgid < <(sed -n 's/^first: one //p' "$T/err" | sed 's/^/x /')
expect_eq "the task leads its own group" "$tpid" "$tpgid"
expected="first: one $tpid $tpid
first: to-stderr
first: no newline
second: two
third: three"
expect_eq "prefixed lines in order" "$expected" "$(cat "$T/lines")"
pass "output prefixed line by line, in file order, own group, stdin /dev/null"

# A 10,000-byte line is passed on in pieces of at most 4 KiB.
n=$(grep -c '^third: xxxx' "$T/err")
expect_eq "pieces of the long line" 3 "$n"
total=$(sed -n 's/^third: \(x*\)$/\1/p' "$T/err" | tr -d '\n' | wc -c)
expect_eq "bytes of the long line" 10000 "$total"
python3 - "$T/second-ran" "$T/app-ran" <<'PY' || fail "the app ran before the second task"
import sys
a, b = (float(open(f).read()) for f in sys.argv[1:])
sys.exit(0 if a <= b else 1)
PY
grep -q "task second: waiting for flag" "$T/err" ||
    fail "the second task did not wait for its check"
pass "long lines in pieces; the app after the last task"

# JSON log format: one object a line, with the task's name.
timeout "$(slow 60)" "$HINIT" --log-format json -c "$T/hinit.ini" -- true 2>"$T/err"
expect_eq "exit code (json)" 0 "$?"
python3 - "$T/err" <<'PY' || fail "task lines are not JSON: $(head -5 "$T/err")"
import json, sys
tasks = [json.loads(l) for l in open(sys.argv[1])]
tasks = [(o["task"], o["msg"]) for o in tasks if "task" in o]
assert ("first", "to-stderr") in tasks, tasks
assert ("second", "two") in tasks, tasks
PY
pass "task lines as JSON objects with --log-format json"
