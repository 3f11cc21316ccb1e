#!/bin/bash
# redis-loading-busy-masterdown: a real Redis that is still loading its
# dataset answers -LOADING, one stuck in a long Lua script answers -BUSY, a
# replica that lost its master (replica-serve-stale-data no) answers
# -MASTERDOWN: the redis check fails with that reply while it lasts and
# passes once the server answers +PONG again.

. "$top_srcdir/tests/lib.sh"

# probe WHAT URL RESULT OUTPUT-REGEX
probe() {
	local what=$1 url=$2 want=$3 re=$4 line
	local name target result duration output
	line=$(timeout "$(slow 20)" "$HINIT" check --timeout "$(slow 3)s" "$url" 2>&1)
	read -r name target result duration output <<<"$line"
	expect_eq "$what: result ($line)" "$want" "$result"
	expect_match "$what: output" "$re" "$output"
	pass "$what: $result: $output"
}

# LOADING: fill a database, save it, and start again with a delay per key
# (the hidden key-load-delay, in microseconds) so that loading lasts long
# enough to be probed; answer clients every KiB of the file while loading.
redis_start --enable-debug-command local --dbfilename load.rdb
P=$REDIS_PORT
redis-cli -p "$P" DEBUG POPULATE 60000 >/dev/null || fail "DEBUG POPULATE"
redis-cli -p "$P" SAVE >/dev/null || fail "SAVE"
redis-cli -p "$P" SHUTDOWN NOSAVE >/dev/null 2>&1
wait_for 5 bash -c "! redis-cli -p $P ping" || fail "redis did not stop"
redis-server --port "$P" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --pidfile "$T/redis-$P.pid" --logfile "$T/redis-$P.log" \
    --dir "$T" --dbfilename load.rdb --key-load-delay 100 \
    --loading-process-events-interval-bytes 1024 || fail "redis-server"
wait_for 5 bash -c "redis-cli -p $P ping | grep -q LOADING" ||
    fail "redis never said LOADING: $(redis-cli -p "$P" ping)"
probe "loading" "redis://127.0.0.1:$P" fail '^LOADING '
wait_for 60 bash -c "redis-cli -p $P ping | grep -q PONG" ||
    fail "redis never finished loading"
probe "loaded" "redis://127.0.0.1:$P" pass '^PONG$'

# BUSY: a script that never ends, past the busy threshold (100ms).
redis_start --busy-reply-threshold 100
P=$REDIS_PORT
timeout 30 redis-cli -p "$P" EVAL 'while true do end' 0 >/dev/null 2>&1 &
on_exit "kill $!"
wait_for 10 bash -c "redis-cli -p $P ping | grep -q BUSY" ||
    fail "redis never said BUSY"
probe "busy" "redis://127.0.0.1:$P" fail '^BUSY '
redis-cli -p "$P" SCRIPT KILL >/dev/null || fail "SCRIPT KILL"
wait_for 10 bash -c "redis-cli -p $P ping | grep -q PONG" ||
    fail "redis stayed busy"
probe "script killed" "redis://127.0.0.1:$P" pass '^PONG$'

# MASTERDOWN: a replica whose master is nowhere, until it is told to stop
# being a replica.
MASTER=$(free_port)
redis_start --replicaof 127.0.0.1 "$MASTER" --replica-serve-stale-data no
P=$REDIS_PORT
probe "master down" "redis://127.0.0.1:$P" fail '^MASTERDOWN '
redis-cli -p "$P" REPLICAOF NO ONE >/dev/null || fail "REPLICAOF NO ONE"
probe "promoted" "redis://127.0.0.1:$P" pass '^PONG$'
