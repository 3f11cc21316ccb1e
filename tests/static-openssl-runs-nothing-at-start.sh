#!/bin/bash
# The static hinit links OpenSSL in, but none of OpenSSL's code runs until
# a check needs it: its x86_64 assembly calls OPENSSL_cpuid_setup() from
# .init, before main(), which contrib/static/deps.sh takes out (OpenSSL's
# own initialisation calls it first thing). As PID 1 with tcp and exec
# checks only, hinit reads no OpenSSL configuration.
. "$top_srcdir/tests/lib.sh"

command -v objdump >/dev/null || fail "objdump is not installed"
command -v strace >/dev/null || fail "strace is not installed"
objdump -d -j .init "$HINIT" >"$T/init.s" 2>&1 || fail "objdump: $(cat "$T/init.s")"
grep -q '<_init>:' "$T/init.s" || fail "no .init in $HINIT: $(cat "$T/init.s")"
grep -q 'OPENSSL' "$T/init.s" && fail "OpenSSL runs before main: $(cat "$T/init.s")"
pass ".init calls nothing of OpenSSL's"

port=$(free_port)
cat >"$T/hinit.ini" <<INI
[check:port]
url = tcp://127.0.0.1:$port
interval = 100ms
[check:cmd]
command = true
interval = 100ms
INI
strace -f -qq -e trace=%file -o "$T/trace" unshare --pid --fork \
    --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/s.json" -- sleep "$(slow 2)" 2>"$T/err"
expect_eq "the app's exit" 0 $?
grep -q '"cmd:responseTime": \[{[^]]*"status": "pass"' "$T/s.json" ||
    fail "the checks did not run: $(cat "$T/err")"
grep 'openssl\.cnf' "$T/trace" &&
    fail "hinit started OpenSSL with no check that needs it"
pass "no OpenSSL configuration read without an http or postgres check"
