#!/bin/bash
# Started with stdin, stdout and stderr closed ("<&- >&- 2>&-", as some
# supervisors do), hinit's own descriptors took 0, 1 and 2, the lowest
# free numbers: the app got an http check's socket (libcurl's, which a
# check holds open while the app starts) as its stdin, or a closed stdin
# that its first open() would fill. Each closed one is /dev/null now.
. "$top_srcdir/tests/lib.sh"

port=$(free_port)
cat >"$T/h.ini" <<INI
[hinit]
listen = 127.0.0.1:$port
notify = yes
status_file = $T/s.json
[check:web]
url = http://127.0.0.1:$port/
interval = 100ms
INI
pid1 -q -c "$T/h.ini" -- sh -c "sleep 0.5; ls -l /proc/self/fd/ >'$T/fds'" \
    <&- >&- 2>&-
expect_eq "exit code" 0 "$?"
note "descriptors of the app: $(tr '\n' ' ' <"$T/fds")"
for fd in 0 2; do
	expect_match "app's descriptor $fd" " $fd -> /dev/null" "$(cat "$T/fds")"
done
expect_no_match "an app's descriptor" "socket:|eventpoll|signalfd|timerfd" \
    "$(cat "$T/fds")"
pass "closed stdio: the app gets /dev/null, none of hinit's descriptors"
