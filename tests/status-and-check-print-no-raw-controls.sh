#!/bin/bash
# hinit check and hinit status print a check's output for a terminal or a
# script's log: a server's reply or a command's output in it must not
# reach either raw. C0 controls were replaced, but C1 ones went through
# (NEL, U+0085, starts a new line on a VT terminal, so a reply could print
# a line of its own; CSI, U+009B, starts an escape sequence), and hinit
# check passed bytes that are not UTF-8. Both now escape as the log does.
. "$top_srcdir/tests/lib.sh"

cmd='printf "out\302\205db fake pass \302\233""31m \033]0;title\007 \200\n"'
clean() {	# clean WHAT FILE: no control but LF, no C1, valid UTF-8
	LC_ALL=C grep -q $'[\x01-\x09\x0b-\x1f\x7f]' "$2" &&
	    fail "$1: a raw C0 control: $(od -c "$2" | head -5)"
	LC_ALL=C grep -q $'\xc2[\x80-\x9f]' "$2" &&
	    fail "$1: a raw C1 control: $(od -c "$2" | head -5)"
	iconv -f UTF-8 -t UTF-8 "$2" >/dev/null 2>&1 ||
	    fail "$1: not UTF-8: $(od -c "$2" | head -5)"
	return 0
}
timeout 10 "$HINIT" check "exec:$cmd" "exec:$cmd; exit 1" >"$T/check" 2>&1
expect_eq "hinit check's exit code" 1 "$?"
clean "hinit check" "$T/check"
grep -qF 'out\u0085db fake pass \u009b31m \x1b]0;title\x07 \x80' "$T/check" ||
    fail "hinit check: not escaped as the log is: $(cat "$T/check")"

cat >"$T/hinit.ini" <<INI
[check:x]
command = $cmd; exit 1
interval = 100ms
retries = 1
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
wait_for 10 grep -q '"hinit:state": "unhealthy"' "$T/s.json" ||
    fail "not unhealthy: $(cat "$T/err")"
timeout 5 "$HINIT" status --status-file "$T/s.json" >"$T/status" 2>&1
expect_eq "hinit status's exit code" 1 "$?"
clean "hinit status" "$T/status"
grep -qF 'exit 1: out\u0085db fake pass \u009b31m \x1b]0;title\x07' \
    "$T/status" || fail "hinit status: not escaped: $(cat "$T/status")"
pass "hinit check and hinit status print no raw control"
