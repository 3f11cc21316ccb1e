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
