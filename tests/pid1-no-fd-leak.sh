#!/bin/bash
# The app gets the descriptors hinit was given and none of hinit's own
# (listening socket, check sockets, libev's), as PID 1.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
list='ls /proc/self/fd | sort -n | tr "\n" " "'
want=$(sh -c "$list")
got=$(pid1 -q --listen "127.0.0.1:$port" --status-file "$T/s.json" \
    --check "t=tcp://127.0.0.1:$port" -- sh -c "$list")
expect_eq "descriptors of the app" "$want" "$got"

# A descriptor hinit inherited is passed on, like tini does.
got=$(pid1 -q -- sh -c "$list" 7</dev/null)
want=$(sh -c "$list" 7</dev/null)
expect_eq "inherited descriptor" "$want" "$got"
pass "no descriptor leaks into the app"

# Sockets that libraries open without close-on-exec (hiredis, libcurl,
# libpq) stay out of children too: with their connections held open by a
# server that never answers, an exec check lists what it was given. The
# app waits for the three connections, then for a listing made after.
silent_start
silent=$SILENT_PORT
cat > "$T/fds.ini" <<INI
[check:redis]
url = redis://127.0.0.1:$silent
timeout = 60s
interval = 300ms
[check:web]
url = http://127.0.0.1:$silent/
timeout = 60s
interval = 300ms
[check:db]
url = postgres://app@127.0.0.1:$silent/app
timeout = 60s
interval = 300ms
[check:fds]
command = ls /proc/self/fd | sort -n | tr "\n" " " > $T/fds.tmp; mv $T/fds.tmp $T/fds.out
interval = 300ms
start_period = 60s
INI
cat > "$T/app.sh" <<'SH'
silent=$1 out=$2
wait-for 20 sh -c "[ \$(ss -Htn state established '( dport = :$silent )' |
    wc -l) -ge 3 ]" || { echo "app: the checks' connections are not open"; exit 1; }
rm -f "$out"
wait-for 20 test -s "$out" || { echo "app: no listing since"; exit 1; }
SH
want=$(sh -c "$list" </dev/null)
timeout "$(slow 60)" "$HINIT" -q --status-file "$T/s2.json" -c "$T/fds.ini" -- \
    bash "$T/app.sh" "$silent" "$T/fds.out" 2>"$T/err" ||
    fail "hinit: $(cat "$T/err")"
expect_eq "descriptors of an exec check beside open check sockets" "$want" \
    "$(cat "$T/fds.out")"
pass "no check socket leaks into children"
