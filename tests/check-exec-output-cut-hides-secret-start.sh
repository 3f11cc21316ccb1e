#!/bin/bash
# An exec check keeps the first 4 KiB of its command's output; a secret
# that the cut splits shows none of its start. The engine knows an output
# was cut by its length, but the line breaks an output starts with were
# dropped after the cut: ten of them made a cut output look whole, and
# the first bytes of the secret at its end were kept (a pass, and "exit 1"
# too), in hinit check and in the status file.
. "$top_srcdir/tests/lib.sh"

export SP=Sp-SeCrEt-0123456789
cmd='printf "\n\n\n\n\n\n\n\n\n\n%4080s%s" "" "${SP}" | tr " " x'
out=$(timeout 10 "$HINIT" check "exec:$cmd" "exec:$cmd; exit 1" 2>&1)
expect_eq "hinit check's exit code ($out)" 1 "$?"
expect_match "the pass" 'exec exec:.* pass [0-9.]+ms x{4000,}\*\*\*' "$out"
expect_match "the failure" 'exit 1: x{4000,}\*\*\*' "$out"
case $out in
*Sp-*) fail "hinit check shows the start of the secret: ${out//x/}" ;;
esac

cat >"$T/hinit.ini" <<INI
[check:cut]
command = $cmd
interval = 100ms
INI
unshare --pid --fork --kill-child --mount-proc "$HINIT" -c "$T/hinit.ini" \
    --status-file "$T/s.json" -- sleep 60 2>"$T/err" &
on_exit "kill -9 $!"
wait_for 10 grep -q '"hinit:state": "healthy"' "$T/s.json" ||
    fail "not healthy: $(cat "$T/err")"
grep -q 'Sp-' "$T/s.json" "$T/err" &&
    fail "the start of the secret is shown: $(grep -o '.\{10\}Sp-.\{10\}' "$T/s.json" "$T/err" | head -2)"
pass "an exec check's output cut at 4 KiB hides the start of a secret"
