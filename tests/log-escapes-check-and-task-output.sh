#!/bin/bash
# What checks and tasks print cannot forge hinit's log lines or reach the
# terminal raw: in the text log, line breaks, ESC and the other control
# characters, and bytes that are not UTF-8, are escaped (\n, \x1b, \xff);
# in the JSON log, every line is valid JSON in valid UTF-8, even when the
# 4 KiB cut of an output, or of a task's long line, falls inside a
# character.
. "$top_srcdir/tests/lib.sh"

# The output of every command: a line forged to look like hinit's, screen
# and title escapes, a bell, a carriage return, bytes that are not UTF-8.
evil='printf '\''x\nhinit: check db: healthy\n\033[2J\033]0;pwn\007 \r\377\376 end'\'
# 4087 + "exit 1: " = 4095 bytes, then a 2-byte character across the cut.
cut='head -c 4087 /dev/zero | tr "\000" a; printf "\303\251 tail"'
cat >"$T/hinit.ini" <<INI
[check:evil]
command = $evil; exit 1
interval = 100ms
retries = 1
[check:cut]
command = $cut; exit 1
interval = 100ms
retries = 1
[task:evil]
command = $evil
[task:long]
command = head -c 4095 /dev/zero | tr "\000" b; printf "\303\251 rest\n"
INI

# run FORMAT: hinit as PID 1 until both checks are unhealthy; its log in
# $T/FORMAT.log.
run() {
	local format=$1 upid
	pid1 -c "$T/hinit.ini" --log-format "$format" --status-file "$T/s.json" \
	    -- sleep 30 2>"$T/$format.log" &
	upid=$!
	on_exit "kill -9 $upid"
	both() { [ "$(grep -c 'unhealthy after' "$T/$format.log")" -ge 2 ]; }
	wait_for 15 both || fail "$format: checks not unhealthy: $(cat -v "$T/$format.log")"
	kill -TERM "$upid"
	wait "$upid"
}

run text
log=$T/text.log
raw=$(LC_ALL=C grep -c $'[\x01-\x08\x0b-\x1f\x7f]' "$log")
expect_eq "text log lines with raw control characters" 0 "$raw"
LC_ALL=C grep -q $'[\x80-\xff]' "$log" &&
    ! iconv -f UTF-8 -t UTF-8 "$log" >/dev/null 2>&1 &&
    fail "the text log is not UTF-8"
forged=$(grep -c '^hinit: check db' "$log")
expect_eq "forged hinit lines" 0 "$forged"
grep -qF 'check evil: unhealthy after 1 failure: exit 1: x\nhinit: check db: healthy\n\x1b[2J\x1b]0;pwn\x07 \r\xff\xfe end' "$log" ||
    fail "check output not escaped as expected: $(grep 'check evil' "$log" | cat -v)"
grep -qF 'evil: x' "$log" || fail "no task line: $(cat -v "$log")"
grep -qF 'evil: \x1b[2J\x1b]0;pwn\x07 \r\xff\xfe end' "$log" ||
    fail "task output not escaped as expected: $(grep '^evil' "$log" | cat -v)"
pass "text log: check and task output escaped, no forged line"

run json
/usr/bin/python3 - "$T/json.log" <<'PY' || fail "JSON log: $(cat -v "$T/json.log" | head -c 2000)"
import json, sys
raw = open(sys.argv[1], "rb").read()
lines = raw.split(b"\n")
assert lines[-1] == b"", "no final newline"
msgs = []
for n, line in enumerate(lines[:-1], 1):
    text = line.decode("utf-8")          # strict: fails on bad UTF-8
    obj = json.loads(text)
    assert isinstance(obj, dict) and "msg" in obj, line
    msgs.append(obj["msg"])
joined = "\n".join(msgs)
assert "\x1b[2J" in joined, "the check output is not in the JSON log"
assert "\ufffd" in joined, "bytes that are not UTF-8 did not become U+FFFD"
cut = [m for m in msgs if m.startswith("check cut: unhealthy")]
assert cut and cut[0].endswith("a"), "the cut output: %r" % cut[-1][-20:]
long = [m for m in msgs if m.startswith("bbbb")]
assert long, "no long task line"
PY
pass "JSON log: every line valid JSON in valid UTF-8"
