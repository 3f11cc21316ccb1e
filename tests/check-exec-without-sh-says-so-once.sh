#!/bin/bash
# In an image with no /bin/sh, an exec check fails with that reason, and
# the log says it once (the check's state change), not at every attempt;
# `hinit check` gives the reason as the output. As PID 1, in a mount
# namespace of its own where /usr/bin (and so /bin/sh) is an empty tmpfs.
. "$top_srcdir/tests/lib.sh"

cp /usr/bin/sleep "$T/sleep" || fail "cp sleep"
cat >"$T/hinit.ini" <<INI
[hinit]
status_file = $T/status.json
[check:nosh]
command = true
interval = 50ms
retries = 1
INI
# The mount is made by bash as PID 1, which then becomes hinit.
timeout 30 unshare --mount --pid --fork --kill-child --mount-proc bash -c '
	mount -t tmpfs none /usr/bin || exit 99
	[ -e /bin/sh ] && exit 98
	exec "$@"' - "$HINIT" -c "$T/hinit.ini" -- "$T/sleep" 1.5 2>"$T/log"
rc=$?
cat "$T/log"
expect_eq "exit code" 0 "$rc"
n=$(grep -c "/bin/sh" "$T/log")
expect_eq "log lines naming /bin/sh" 1 "$n"
expect_match "the line" \
    "check nosh: unhealthy after 1 failure: cannot run /bin/sh: No such file or directory" \
    "$(cat "$T/log")"
pass "no /bin/sh: the reason, once"

out=$(timeout 30 unshare --mount bash -c '
	mount -t tmpfs none /usr/bin || exit 99
	exec "$@"' - "$HINIT" check exec:true)
expect_eq "hinit check: exit code" 1 "$?"
expect_match "hinit check: output" \
    "fail [0-9.]+ms cannot run /bin/sh: No such file or directory" "$out"
pass "hinit check: no /bin/sh is the attempt's output"
