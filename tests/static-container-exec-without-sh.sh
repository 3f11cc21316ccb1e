#!/bin/bash
# An exec check in an image without /bin/sh (distroless, scratch) fails,
# and the log says why in one line, not one line per attempt; with a shell
# in the same image the same check passes.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/rootfs.sh"

rootfs_make
mkdir -p "$ROOT/etc/hinit"
cat >"$ROOT/etc/hinit/hinit.ini" <<EOT
[check:disk]
command = test -d /etc
interval = 100ms
retries = 2
EOT

ctr_run -- /bin/busybox sleep 3 2>"$T/err" >&2
rc=$?
cat "$T/err" >&2
expect_eq "the app's exit code" 0 "$rc"
expect_eq "one log line names /bin/sh" 1 "$(grep -c /bin/sh "$T/err")"
expect_match "it is the check turning unhealthy, with the reason" \
    "check disk: unhealthy .*cannot run /bin/sh: No such file or directory" \
    "$(grep /bin/sh "$T/err")"
pass "exec check without /bin/sh: one clear log line"

ln -s busybox "$ROOT/bin/sh"
ctr_run -v -- /bin/busybox sleep 2 2>"$T/err" >&2
expect_match "with /bin/sh the check passes" "check disk: healthy" \
    "$(cat "$T/err")"
pass "the same exec check passes once the image has /bin/sh"
