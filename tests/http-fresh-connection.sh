#!/bin/bash
# Every attempt opens a fresh connection, even to a keep-alive server: a
# probe proves that new connections are accepted, not that an old one lives.
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/fixtures/httpd.sh"
httpd_start

cat >"$T/hinit.ini" <<EOT
[hinit]
status_file = $T/status.json
[check:web]
url = $HTTPD_URL/ok
interval = 100ms
EOT
# The app ends once the server has seen 5 attempts.
timeout "$(slow 60)" "$HINIT" -c "$T/hinit.ini" -v -- \
    wait-for 20 sh -c "[ \$(grep -c ' GET /ok\$' $HTTPD_LOG) -ge 5 ]" 2>"$T/err" &
init=$!
# After some attempts, no connection of hinit's lingers: at most the one
# of an attempt under way, beside the one asking.
attempts_made() { [ "$(grep -c " GET /ok\$" "$HTTPD_LOG")" -ge 4 ]; }
wait_for 5 attempts_made || fail "no attempts: $(cat "$T/err")"
open=$(curl -s --noproxy '*' "$HTTPD_URL/open")
[ "$open" -le 2 ] || fail "$open connections open after a few attempts"
wait $init || fail "hinit exited $?: $(cat "$T/err")"
requests=$(grep -c " GET /ok\$" "$HTTPD_LOG")
connections=$(grep " GET /ok\$" "$HTTPD_LOG" | cut -d' ' -f1 | sort -u | wc -l)
[ "$requests" -ge 5 ] || fail "only $requests attempts"
expect_eq "one connection per attempt" "$requests" "$connections"
pass "each attempt uses a fresh connection ($requests)"
