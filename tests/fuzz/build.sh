#!/bin/bash
# tests/fuzz/build.sh [DIR]: build every fuzz target with clang's libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, out of tree in DIR
# (default _build/fuzz). The core (libhinit.a) and the check modules are
# built instrumented by the project's own Makefile (configured with clang),
# then each tests/fuzz/fuzz-NAME.c is linked against them as DIR/fuzz-NAME.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/_build/fuzz}
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
targets="config duration expand url httpd redis status scrub"

mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null 2>&1)
cd "$out"
if [ ! -f Makefile ]; then
	"$top/configure" -q CC=clang CFLAGS="-g -O1 -fsanitize=fuzzer-no-link" \
	    --enable-asan >/dev/null
fi
make -s -j2 libhinit.a checks/http.la checks/postgres.la checks/redis.la \
    2>&1 | grep -v "modifier ignored" || true

var() { sed -n "s/^$1 = //p" Makefile; }
cflags="-g -O1 $san -fsanitize=fuzzer -D_GNU_SOURCE -I$out -I$top/src -I$top/checks $(var INIH_CFLAGS)"
libs="$(var INIH_LIBS) $(var EV_LIBS) $(var DL_LIBS) -lpthread"
for t in $targets; do
	# Modules (loaded by config_finish) resolve the core against the
	# target: all of it, exported. fuzz-httpd has httpd.c compiled in.
	if [ "$t" = httpd ]; then
		core="libhinit.a"
	else
		core="-Wl,--export-dynamic -Wl,--whole-archive libhinit.a -Wl,--no-whole-archive"
	fi
	clang $cflags -o "fuzz-$t" "$top/tests/fuzz/fuzz-$t.c" $core $libs
done
echo "fuzz targets in $out: $targets"
