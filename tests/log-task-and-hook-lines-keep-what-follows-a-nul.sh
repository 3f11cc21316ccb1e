#!/bin/bash
# A NUL byte in a line a task or the on_change hook writes (binary garbage,
# a C program's stray '\0') does not end the line in hinit's log: in text
# the line goes on after it, escaped as \x00, and in JSON as \u0000. The
# JSON log cut a task's line at its first NUL, and the text and JSON logs
# a hook's, and what came after was lost. Secrets after the NUL stay
# hidden.
. "$top_srcdir/tests/lib.sh"

export HINIT_TEST_TOKEN=Zq9xKw2pLm7vRt4s
cat >"$T/hinit.ini" <<'INI'
[hinit]
on_change = printf 'hook-before\000hook-after %s\n' "${HINIT_TEST_TOKEN}"
[task:bin]
command = printf 'task-before\000task-after %s\n' "${HINIT_TEST_TOKEN}"
INI

# run FORMAT: hinit as PID 1 until the hook's line is logged; its log in
# $T/FORMAT.log.
run() {
	local format=$1 upid
	pid1 -c "$T/hinit.ini" --log-format "$format" --status-file "$T/s.json" \
	    -- sleep 30 2>"$T/$format.log" &
	upid=$!
	on_exit "kill -9 $upid"
	wait_for 15 grep -q hook-before "$T/$format.log" ||
	    fail "$format: no hook line: $(cat -v "$T/$format.log")"
	kill -TERM "$upid"
	wait "$upid"
	if grep -q Zq9xKw2p "$T/$format.log"; then
		fail "$format: the secret is in the log: $(cat -v "$T/$format.log")"
	fi
}

run text
grep -qF 'bin: task-before\x00task-after ***' "$T/text.log" ||
    fail "text: the task's line: $(grep task-before "$T/text.log" | cat -v)"
grep -qF 'hinit: on_change: hook-before\x00hook-after ***' "$T/text.log" ||
    fail "text: the hook's line: $(grep hook-before "$T/text.log" | cat -v)"
pass "text log: task and hook lines go on after a NUL, escaped"

run json
"$PYTHON" - "$T/json.log" <<'PY' || fail "JSON log: $(cat -v "$T/json.log")"
import json, sys
msgs = [json.loads(l) for l in open(sys.argv[1], "rb").read().splitlines()]
task = [m for m in msgs if m.get("task") == "bin"]
assert task and task[0]["msg"] == "task-before\0task-after ***", task
hook = [m for m in msgs if "hook-before" in m["msg"]]
assert hook and hook[0]["msg"] == "on_change: hook-before\0hook-after ***", \
    hook
PY
pass "JSON log: task and hook lines go on after a NUL, as \\u0000"
