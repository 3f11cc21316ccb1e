#!/bin/bash
# On a kernel without close_range(2) (before 5.9: RHEL 8, Amazon Linux 2;
# gVisor), made here by an LD_PRELOAD shim whose close_range fails with
# ENOSYS, the app and exec checks still get no descriptor of hinit's own:
# not libcurl's socketpair, not the endpoint's socket, not a check's
# connection. As PID 1 and not; with RLIMIT_NOFILE at 1024 and at 2^20.
# (The same without the shim: tests/pid1-no-fd-leak.sh.)
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"

shim=$top_builddir/tests/.libs/no-close-range.so
[ -f "$shim" ] || fail "no $shim"
# The sanitizers' runtime wants to come first; the shim does not use it.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export NO_CLOSE_RANGE_LOG=$T/refused
# refuse COMMAND...: run it where close_range fails with ENOSYS. A static
# hinit reads no LD_PRELOAD: there strace makes the system call fail.
refuse() { LD_PRELOAD=$shim "$@"; }
refused() { [ -s "$T/refused" ]; }
if static_build; then
	command -v strace >/dev/null || fail "strace is not installed"
	refuse() {
		strace -f -qq -o "$T/refused" -e trace=close_range \
		    -e inject=close_range:error=ENOSYS "$@"
	}
	refused() { grep -q 'close_range(.*INJECTED' "$T/refused"; }
fi

httpd_start
port=$(free_port)
list='ls /proc/self/fd | sort -n | tr "\n" " "'
cat >"$T/fds.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
status_file = $T/status.json
[check:web]
url = $HTTPD_URL/ok
interval = 100ms
[check:fds]
command = $list >$T/check-fds.\$\$ && mv $T/check-fds.\$\$ $T/check-fds
interval = 100ms
INI

# leak WHAT NOFILE HINIT...
leak() {
	local what=$1 nofile=$2 want got
	shift 2
	rm -f "$T/refused" "$T/check-fds"
	want=$(ulimit -n "$nofile"; sh -c "$list" </dev/null 7</dev/null)
	got=$(ulimit -n "$nofile"; refuse timeout 30 "$@" -q \
	    -c "$T/fds.ini" -- sh -c "sleep 0.6; $list" </dev/null 7</dev/null)
	refused || fail "$what: the shim was not asked"
	expect_eq "$what: descriptors of the app" "$want" "$got"
	[ -f "$T/check-fds" ] || fail "$what: the exec check did not run"
	expect_eq "$what: descriptors of an exec check" "$want" \
	    "$(cat "$T/check-fds")"
	pass "$what: close_range refused, nothing of hinit's leaks"
}

# 2^20 as docker gives; where the hard limit is lower and cannot be raised
# (no CAP_SYS_RESOURCE), that limit.
big=1048576
(ulimit -n $big) 2>/dev/null || big=$(ulimit -Hn)
in_ns="unshare --pid --fork --kill-child --mount-proc $HINIT"
leak "PID 1, 1024 descriptors" 1024 $in_ns
leak "PID 1, $big descriptors" $big $in_ns
leak "not PID 1" 1024 "$HINIT"
