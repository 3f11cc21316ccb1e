#!/bin/bash
# A task's line of exactly 4096 bytes (the most passed on at once) was
# taken for a piece cut short: with its line break in the next read, an
# empty line followed it in the log; read with its break, the next line
# was taken for the rest of it, and its start, where a secret ends so
# ("s" of ...Rt4s), was hidden ("*** is next"). An empty line also
# followed a line the task left unfinished when its leftover ended it.
# The break only ends the line now.
. "$top_srcdir/tests/lib.sh"

export HINIT_TEST_TOKEN=Zq9xKw2pLm7vRt4s
cat >"$T/hinit.ini" <<'INI'
[task:exact]
command = echo "${HINIT_TEST_TOKEN}" >/dev/null; head -c 4096 /dev/zero | tr '\000' a; sleep 0.2; printf '\ns is next\n'
[task:merged]
command = echo "${HINIT_TEST_TOKEN}" >/dev/null; /usr/bin/python3 -c 'import os; os.write(1, b"x\n" + b"a" * 4096 + b"\ns is next\n")'
[task:left]
command = (sleep 0.3; printf '\ns goes on\n') & printf 'unfinished'
INI
pid1 -c "$T/hinit.ini" --status-file "$T/s.json" -- \
    wait-for 10 grep -qE '^left: .*goes on$' "$T/log" 2>"$T/log"
expect_eq "hinit's exit code" 0 "$?"
grep -q '^exact: s is next$' "$T/log" ||
    fail "the line after the long one: $(grep -v aaaa "$T/log")"
grep -q '^merged: s is next$' "$T/log" ||
    fail "the line after the long one read with it: $(grep -v aaaa "$T/log")"
grep -q '^left: s goes on$' "$T/log" ||
    fail "the line after the unfinished one: $(cat "$T/log")"
n=$(grep -c -E '^(exact|merged|left): $' "$T/log")
expect_eq "empty lines in the log ($(grep -v aaaa "$T/log"))" 0 "$n"
pass "a line break after a cut piece only ends its line"
