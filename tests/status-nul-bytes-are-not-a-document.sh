#!/bin/bash
# A status file with NUL bytes where a number stands (a file hinit did not
# write whole, or garbage) is "not a status document": hinit status never
# reads a NUL as a number's end, or NULs alone as the number 0, and so
# never says ready from such a file.
. "$top_srcdir/tests/lib.sh"

now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z)
doc() {
	printf '{"status": "pass", "hinit:state": "healthy", "hinit:live": "pass", "hinit:updated": "%s", "hinit:app": {"state": "running", "restarts": %b}, "checks": {}}' \
	    "$now" "$1" >"$T/s.json"
}
st() { timeout 5 "$HINIT" status --status-file "$T/s.json" >"$T/out" 2>&1; echo $?; }

doc '0'
expect_eq "the same document without NULs is ready" 0 "$(st)"

doc '0\0000\0000'
expect_eq "NULs after a number: not ready" 1 "$(st)"
expect_match "NULs after a number: not a document" "not a status document" \
    "$(cat "$T/out")"

doc '\0000\0000'
expect_eq "NULs alone as a number: not ready" 1 "$(st)"
expect_match "NULs alone as a number: not a document" "not a status document" \
    "$(cat "$T/out")"
