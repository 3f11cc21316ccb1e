#!/bin/bash
# The app gets the descriptors hinit was given and none of hinit's own
# (listening socket, check sockets, libev's), as PID 1.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
list='ls /proc/self/fd | sort -n | tr "\n" " "'
want=$(sh -c "$list")
got=$(pid1 -q --listen "127.0.0.1:$port" --status-file "$T/s.json" \
    --check "t=tcp://127.0.0.1:$port" -- sh -c "sleep 0.5; $list")
expect_eq "descriptors of the app" "$want" "$got"

# A descriptor hinit inherited is passed on, like tini does.
got=$(pid1 -q -- sh -c "$list" 7</dev/null)
want=$(sh -c "$list" 7</dev/null)
expect_eq "inherited descriptor" "$want" "$got"
pass "no descriptor leaks into the app"

# Sockets that libraries open without close-on-exec (hiredis, libcurl) stay
# out of children too: with connections held open by a server that never
# answers, an exec check lists what it was given.
silent_start
silent=$SILENT_PORT
cat > "$T/fds.ini" <<INI
[check:redis]
url = redis://127.0.0.1:$silent
timeout = 20s
[check:web]
url = http://127.0.0.1:$silent/
timeout = 20s
[check:db]
url = postgres://app@127.0.0.1:$silent/app
timeout = 20s
[check:fds]
command = ls /proc/self/fd | sort -n | tr "\n" " " > $T/fds.out
interval = 300ms
start_period = 10s
INI
want=$(sh -c "$list" </dev/null)
timeout 20 "$HINIT" -q --status-file "$T/s2.json" -c "$T/fds.ini" -- sleep 1.5 \
    2>"$T/err" || fail "hinit: $(cat "$T/err")"
expect_eq "descriptors of an exec check beside open check sockets" "$want" \
    "$(cat "$T/fds.out")"
pass "no check socket leaks into children"
