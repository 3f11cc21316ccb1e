#!/bin/bash
# A command that cannot be found exits 127, one that cannot be executed
# 126, each with a message naming it, as PID 1 and not.
. "$top_srcdir/tests/lib.sh"

pid1 -- /nonexistent/app 2>"$T/err"
expect_eq "not found" 127 "$?"
expect_match "message" "cannot run /nonexistent/app: No such file" "$(cat "$T/err")"
pid1 -- no-such-command-anywhere 2>"$T/err"
expect_eq "not in PATH" 127 "$?"

printf 'plain text\n' > "$T/notexec"
chmod 644 "$T/notexec"
pid1 -- "$T/notexec" 2>"$T/err"
expect_eq "not executable" 126 "$?"
expect_match "message" "Permission denied" "$(cat "$T/err")"
"$HINIT" -q -- "$T" 2>"$T/err"
expect_eq "a directory" 126 "$?"

"$HINIT" 2>"$T/err"
expect_eq "no command" 2 "$?"
expect_match "usage message" "no command" "$(cat "$T/err")"
"$HINIT" --no-such-option -- true 2>"$T/err"
expect_eq "bad option" 2 "$?"
pass "127, 126, 2"
