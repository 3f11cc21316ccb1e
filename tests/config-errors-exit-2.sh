#!/bin/bash
# A config error names FILE:LINE and the key, exits 2, and starts nothing:
# one failing file per class of error, each tried with `hinit -t -c FILE`
# and in init mode with an app that would leave a marker file.
. "$top_srcdir/tests/lib.sh"

unset HINIT_TEST_UNSET_VAR

# bad NAME LINE REGEX: the config on stdin must fail at LINE, stderr
# matching REGEX (after "hinit: FILE:LINE: ").
bad() {
	local name=$1 line=$2 regex=$3 f=$T/$1.ini err rc
	cat >"$f"
	err=$(timeout 10 "$HINIT" -t -c "$f" 2>&1 >/dev/null)
	rc=$?
	expect_eq "$name: hinit -t exit code" 2 "$rc"
	expect_match "$name: -t stderr" "^hinit: $f:$line: .*$regex" "$err"
	[ "$(printf '%s\n' "$err" | wc -l)" = 1 ] ||
	    fail "$name: more than one line on stderr: $err"

	rm -f "$T/started"
	err=$(timeout 10 "$HINIT" -c "$f" -- sh -c "touch $T/started" 2>&1)
	rc=$?
	expect_eq "$name: init mode exit code" 2 "$rc"
	# (it may say first that it acts as a subreaper)
	expect_match "$name: init stderr" "(^|
)hinit: $f:$line: .*$regex" "$err"
	[ -e "$T/started" ] && fail "$name: the app was started"
	pass "$name"
}

bad unknown-section 3 "unknown section \[chek:db\] \(did you mean \[check:db\]\?\)" <<'X'
[hinit]
grace = 1s
[chek:db]
url = tcp://127.0.0.1:1
X

bad unknown-key 4 "\[check:db\] unknown key 'intervall' \(did you mean 'interval'\?\)" <<'X'
; a comment
[check:db]
url = tcp://127.0.0.1:1
intervall = 5s
X

bad bad-duration 3 "\[check:db\] interval: bad duration '1\.5s'" <<'X'
[check:db]
url = tcp://127.0.0.1:1
interval = 1.5s
X

bad bad-bool 5 "\[check:db\] critical: bad value 'maybe' \(use yes or no\)" <<'X'
[check:db]
url = tcp://127.0.0.1:1

; not a boolean
critical = maybe
X

bad bad-enum 2 "\[hinit\] restart: bad value 'sometimes' \(use no, on-failure or always\)" <<'X'
[hinit]
restart = sometimes
X

bad out-of-range 3 "\[check:db\] retries: 0 is out of range \(1 to 1000\)" <<'X'
[check:db]
url = tcp://127.0.0.1:1
retries = 0
X

bad duplicate-check 4 "duplicate check name 'db' \(first at line 1\)" <<'X'
[check:db]
url = tcp://127.0.0.1:1

[check:db]
url = tcp://127.0.0.1:2
X

bad duplicate-key 4 "\[check:db\] duplicate key 'timeout' \(first at line 3\)" <<'X'
[check:db]
url = tcp://127.0.0.1:1
timeout = 1s
timeout = 2s
X

long=$(printf 'x%.0s' $(seq 1 220))
bad long-line 3 "line is longer than [0-9]+ bytes \(key 'url'\)" <<X
[check:web]
interval = 5s
url = http://127.0.0.1:1/$long
X

bad continuation 4 "indented line would continue the value of 'url'" <<'X'
[check:web]
interval = 5s
url = http://127.0.0.1:1/
  timeout = 2s
X

bad missing-url 2 "\[check:db\] missing 'url' \(or 'command'\)" <<'X'
[hinit]
[check:db]
interval = 5s
[task:x]
command = true
X

bad unset-var 3 "\[check:db\] url: \\$\{HINIT_TEST_UNSET_VAR\} is not set" <<'X'
[check:db]
interval = 5s
url = postgres://app:${HINIT_TEST_UNSET_VAR}@127.0.0.1/app
X

bad wait-unknown 2 "\[hinit\] wait: no check named 'dbb' \(did you mean 'db'\?\)" <<'X'
[hinit]
wait = dbb
[check:db]
url = tcp://127.0.0.1:1
X

bad task-wait-unknown 7 "\[task:migrate\] wait: no check named 'cache'" <<'X'
[check:db]
url = tcp://127.0.0.1:1

[task:migrate]
command = true
timeout = 1m
wait = db, cache
X

bad not-applying 4 "\[check:web\] key 'query' does not apply to http checks" <<'X'
[check:web]
url = http://127.0.0.1:1/
interval = 5s
query = SELECT 1
X

bad not-applying-tcp 3 "\[check:port\] key 'tls_verify' does not apply to tcp checks" <<'X'
[check:port]
url = tcp://127.0.0.1:1
tls_verify = no
X

bad url-and-command 3 "\[check:x\] command: a check takes url or command, not both" <<'X'
[check:x]
url = tcp://127.0.0.1:1
command = true
X

bad bad-target 2 "\[check:x\] url: bad port '0'" <<'X'
[check:x]
url = tcp://127.0.0.1:0
X

if static_build; then
	# Every check type is linked in: there is no module to miss.
	printf '[check:db]\nurl = postgres://127.0.0.1/app\n' >"$T/types.ini"
	HINIT_MODULE_DIR=$T/no-modules timeout 10 "$HINIT" -t \
	    -c "$T/types.ini" >/dev/null ||
	    fail "static build: a postgres check needs a module"
	pass "static build: every type linked in"
else
HINIT_MODULE_DIR=$T/no-modules bad missing-type 2 "\[check:db\] url: check type 'postgres' is not available in this build" <<'X'
[check:db]
url = postgres://127.0.0.1/app
X
fi

# A missing file is an error too, not "no config".
err=$(timeout 10 "$HINIT" -c "$T/nope.ini" -- sh -c "touch $T/started" 2>&1)
expect_eq "missing file: exit code" 2 "$?"
expect_match "missing file: stderr" "$T/nope.ini: No such file" "$err"
[ -e "$T/started" ] && fail "missing file: the app was started"
pass "missing file"
