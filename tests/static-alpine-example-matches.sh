#!/bin/bash
# contrib/alpine/Dockerfile builds the static hinit the way tests/ci.sh
# builds and tests it, copies that one file into node:20-alpine, runs it as
# PID 1 with -e 143 as a non-root user with `hinit status` as the
# healthcheck, and carries the hinit.ini of contrib/nextjs with psql for its
# migration task; hinit accepts that file. (No Docker engine runs here: the
# binary itself is run by tests/static-container-*.sh.)
. "$top_srcdir/tests/lib.sh"

df=$top_srcdir/contrib/alpine/Dockerfile
ci=$top_srcdir/tests/ci.sh
[ -f "$df" ] || fail "no $df"

grep -q 'contrib/static/deps.sh' "$ci" && grep -q 'contrib/static/deps.sh /deps' "$df" ||
    fail "the Dockerfile does not build the libraries as tests/ci.sh does"
grep -q -- '--enable-static-binary=' "$ci" &&
    grep -q -- '--enable-static-binary=/deps' "$df" ||
    fail "the Dockerfile does not configure hinit as tests/ci.sh does"
last_from=$(grep '^FROM ' "$df" | tail -n 1)
expect_match "the image" '^FROM node:20-alpine( |$)' "$last_from"
sed -n '/^FROM node:20-alpine AS web/,$p' "$df" >"$T/web"
grep -qx 'COPY --from=hinit /src/hinit /sbin/hinit' "$T/web" ||
    fail "the image does not get the static hinit at /sbin/hinit"
grep -q '^RUN apk add' "$T/web" && ! grep -Eq 'libcurl|libpq|hiredis|libev' "$T/web" ||
    fail "the image installs libraries the static hinit does not need"
grep -qx 'COPY contrib/nextjs/hinit.ini /etc/hinit/hinit.ini' "$T/web" ||
    fail "the image does not carry contrib/nextjs/hinit.ini"
grep -q '^command = psql ' "$top_srcdir/contrib/nextjs/hinit.ini" &&
    grep -q 'postgresql-client' "$T/web" ||
    fail "the migration task runs psql, which the image lacks"
grep -qx 'ENTRYPOINT \["/sbin/hinit", "-e", "143", "--"\]' "$T/web" ||
    fail "ENTRYPOINT is not /sbin/hinit -e 143 --"
grep -qx 'CMD \["node", "server.js"\]' "$T/web" || fail "CMD is not node server.js"
grep -q 'CMD \["/sbin/hinit", "status"\]$' "$T/web" ||
    fail "HEALTHCHECK is not /sbin/hinit status"
user=$(sed -n 's/^USER //p' "$T/web" | tail -n 1)
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] ||
    fail "the image runs as root"
pass "contrib/alpine/Dockerfile: static hinit, ENTRYPOINT, HEALTHCHECK, USER $user"

DATABASE_URL=postgres://app:app@db:5432/app REDIS_URL=redis://cache:6379 \
    timeout 10 "$HINIT" -t -c "$top_srcdir/contrib/nextjs/hinit.ini" \
    >/dev/null 2>"$T/err" || fail "hinit -t: $(cat "$T/err")"
pass "hinit accepts the image's hinit.ini"
