#!/bin/bash
# In a real container runtime (podman with runc), hinit as PID 1: exit codes
# propagate, `podman stop` reaches the app through hinit, zombies are reaped.
. "$top_srcdir/tests/lib.sh"

command -v podman >/dev/null || fail "podman is not installed"
name=hinit-test-$$
run() { timeout "$(slow 60)" podman run --rm --rootfs /:O "$@"; }

run "$HINIT" -q -- sh -c 'exit 7'
expect_eq "exit code through podman" 7 "$?"

out=$(run "$HINIT" -q -- sh -c 'echo $$')
expect_eq "hinit is PID 1, the app PID 2+" 1 "$([ "$out" -gt 1 ] && echo 1)"

podman run -d --name "$name" --rootfs /:O "$HINIT" -q -e 143 -- sleep 1000 >/dev/null ||
    fail "podman run -d"
on_exit "podman rm -f $name"
wait_for 10 sh -c "podman inspect -f '{{.State.Running}}' $name | grep -q true" ||
    fail "container not running"
timeout "$(slow 30)" podman stop -t 10 "$name" >/dev/null
expect_eq "exit code after podman stop" 0 \
    "$(podman inspect -f '{{.State.ExitCode}}' "$name")"
pass "podman: exit codes, PID 1, stop"
