#!/bin/bash
# hinit check tcp://: a listening port passes ("connected to ..."), a closed
# one fails with "connection refused", by address and by name.
. "$top_srcdir/tests/lib.sh"

silent_start
port=$SILENT_PORT

out=$(timeout 10 "$HINIT" check "up=tcp://127.0.0.1:$port")
expect_eq "exit code, accepting" 0 $?
expect_match "accepting" \
    "^up tcp://127\.0\.0\.1:$port pass [0-9.]+ms connected to 127\.0\.0\.1:$port$" "$out"
pass "accepted connection passes"

# A name goes through the resolver thread.
out=$(timeout 10 "$HINIT" check "byname=tcp://localhost:$port")
expect_eq "exit code, by name" 0 $?
expect_match "by name" "^byname tcp://localhost:$port pass .* connected to " "$out"
pass "a host name is resolved"

closed=$(free_port)
out=$(timeout 10 "$HINIT" check "down=tcp://127.0.0.1:$closed")
expect_eq "exit code, refused" 1 $?
expect_match "refused" \
    "^down tcp://127\.0\.0\.1:$closed fail [0-9.]+ms 127\.0\.0\.1:$closed: connection refused$" "$out"
pass "refused connection fails"

out=$(timeout 10 "$HINIT" check "up=tcp://127.0.0.1:$port" "down=tcp://127.0.0.1:$closed")
expect_eq "exit code, one of two fails" 1 $?
expect_eq "two lines" 2 "$(printf '%s\n' "$out" | wc -l)"
pass "any failure gives 1"

out=$(timeout 10 "$HINIT" check "bad=tcp://127.0.0.1" 2>&1)
expect_eq "exit code, no port" 2 $?
pass "tcp target without a port is a usage error"
