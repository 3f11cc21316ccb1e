#!/bin/bash
# A URL given on hinit's own command line (hinit wait "$DATABASE_URL" --
# npm run migrate, as hinit(8) shows; hinit check; --check in init mode)
# stayed in /proc/PID/cmdline, which ps shows to every user of the
# machine or the container, password included, for as long as hinit ran:
# PID 1's for the container's life. Once read, hinit hides the passwords
# in its own argv, as mysql and PostgreSQL's clients do.
. "$top_srcdir/tests/lib.sh"

silent_start	# a server that never answers: hinit keeps waiting
url="postgres://app:Pw-SeCrEt-1@127.0.0.1:$SILENT_PORT/app?sslpassword=Ss-SeCrEt-2"
"$HINIT" wait --timeout 50s "$url" -- true 2>/dev/null &
on_exit "kill $!"
"$HINIT" check --timeout 50s "db=$url" \
    "redis://:Rp-SeCrEt-3@127.0.0.1:$SILENT_PORT" >/dev/null 2>&1 &
on_exit "kill $!"
# As PID 1; unshare's own command line must not hold the URL either.
export URL=$url
unshare --pid --fork --kill-child --mount-proc bash -c 'exec "$HINIT" \
    --check "$URL" --check="tcp=tcp://127.0.0.1:$1" --status-file "$2" \
    -- sleep 60' _ "$SILENT_PORT" "$T/s.json" 2>"$T/err" &
on_exit "kill -9 $!"

seen() {	# all three hinits run, their passwords hidden
	runuser -u nobody -- ps -eo args >"$T/ps"
	[ "$(grep -c "hinit.*postgres://app:\*\*\*@127.0.0.1:$SILENT_PORT/app?sslpassword=\*\*\*" "$T/ps")" -ge 3 ] &&
	    grep -q "hinit check .*redis://:\*\*\*@" "$T/ps"
}
wait_for 10 seen || fail "not hidden: $(grep "$SILENT_PORT" "$T/ps")"
grep "$SILENT_PORT" "$T/ps" | grep -q SeCrEt &&
    fail "a password in ps: $(grep SeCrEt "$T/ps")"
for pid in $(pgrep -f "hinit.*$SILENT_PORT"); do
	tr '\0' ' ' </proc/$pid/cmdline | grep -q SeCrEt &&
	    fail "a password in /proc/$pid/cmdline"
done
pass "passwords on hinit's own command line are hidden from ps"
