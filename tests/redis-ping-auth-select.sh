#!/bin/bash
# redis-ping-auth-select: against real Redis servers, a redis check passes on
# +PONG, sends AUTH (password, or user and password for an ACL user) only
# when the URL has a password, SELECTs the database the URL names, works
# over a unix socket, and fails with the server's own reply (NOAUTH,
# WRONGPASS, ERR) or "no response" when nobody listens. No password ever
# shows in an output.

. "$top_srcdir/tests/lib.sh"

# probe WHAT URL RESULT OUTPUT-REGEX
probe() {
	local what=$1 url=$2 want=$3 re=$4 line rc
	local name target result duration output
	line=$(timeout "$(slow 20)" "$HINIT" check --timeout "$(slow 3)s" "$url" 2>&1)
	rc=$?
	read -r name target result duration output <<<"$line"
	expect_eq "$what: result ($line)" "$want" "$result"
	if [ "$want" = pass ]; then
		expect_eq "$what: exit" 0 "$rc"
	else
		expect_eq "$what: exit" 1 "$rc"
	fi
	expect_match "$what: output" "$re" "$output"
	expect_no_match "$what: password shown" 'hunter2|apppw|badpw' "$line"
	pass "$what: $result: $output"
}

# An open server with four databases.
redis_start --databases 4
OPEN=$REDIS_PORT
probe "PONG" "redis://127.0.0.1:$OPEN" pass '^PONG$'
probe "PONG, name resolved off the loop" "redis://localhost:$OPEN" pass '^PONG$'
probe "SELECT 3" "redis://127.0.0.1:$OPEN/3" pass '^PONG$'
# The out-of-range database shows that SELECT really is sent.
probe "SELECT 4 of 4" "redis://127.0.0.1:$OPEN/4" fail 'DB index is out of range'

# A server with a password, an ACL user and a unix socket.
REDIS_CLI_AUTH="-a hunter2 --no-auth-warning"
redis_start --requirepass hunter2 --unixsocket "$T/redis.sock" \
    --unixsocketperm 700
LOCKED=$REDIS_PORT
unset REDIS_CLI_AUTH
redis-cli -p "$LOCKED" -a hunter2 --no-auth-warning \
    ACL SETUSER app on '>apppw' '~*' '+@all' >/dev/null || fail "ACL SETUSER"

probe "no password" "redis://127.0.0.1:$LOCKED" fail '^NOAUTH '
probe "no password, SELECT" "redis://127.0.0.1:$LOCKED/1" fail '^NOAUTH '
probe "wrong password" "redis://:badpw@127.0.0.1:$LOCKED" fail '^WRONGPASS '
probe "right password" "redis://:hunter2@127.0.0.1:$LOCKED" pass '^PONG$'
probe "right password, SELECT 2" "redis://:hunter2@127.0.0.1:$LOCKED/2" pass \
    '^PONG$'
probe "ACL user" "redis://app:apppw@127.0.0.1:$LOCKED" pass '^PONG$'
probe "ACL user, wrong password" "redis://app:badpw@127.0.0.1:$LOCKED" fail \
    '^WRONGPASS '
# $T is absolute: redis://$T/... is redis:///tmp/..., an empty host.
probe "unix socket, no password" "redis://$T/redis.sock" fail '^NOAUTH '
probe "unix socket, db and password parameters" \
    "redis://$T/redis.sock?db=1&password=hunter2" pass '^PONG$'
probe "unix socket, password in the URL" "redis://:hunter2@$T/redis.sock" \
    pass '^PONG$'

# Nobody listens any more.
kill "$(cat "$T/redis-$OPEN.pid")"
wait_for 5 bash -c "! redis-cli -p $OPEN ping" || fail "redis did not stop"
probe "stopped" "redis://127.0.0.1:$OPEN" fail '^no response: .*refused'
kill "$(cat "$T/redis-$LOCKED.pid")"
wait_for 5 bash -c "[ ! -S '$T/redis.sock' ]" || fail "redis did not stop"
probe "stopped, unix socket" "redis://$T/redis.sock" fail '^no response: '
