#!/bin/bash
# contrib/static/deps.sh: build the static libraries a static hinit links,
# from Debian 12's own source packages, with musl (musl-gcc), into one
# prefix:
#
#	contrib/static/deps.sh [DIR]		(default: _build/static-deps)
#	./configure --enable-static-binary=DIR CC=musl-gcc && make
#
# OpenSSL (libssl, libcrypto), curl (libcurl: http and https only), libpq
# (with SSL, without GSSAPI and LDAP; with PostgreSQL's src/common and
# src/port), hiredis and libev are built from `apt-get source`; inih is
# Debian's own libinih.a (plain C, it links under musl; its source package
# is not fetchable). Nothing is copied into the tree: sources, builds and
# the prefix live under DIR. Each library is rebuilt only when its source
# package, its recipe below or a library it uses changed, so a second run
# takes seconds. As root on Debian 12: adds a deb-src entry for the
# archive's own URIs if there is none, and installs musl-tools and
# dpkg-dev if missing. CC overrides musl-gcc (static glibc: CC=gcc).
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$top/_build/static-deps}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
src=$dir/src		# what apt-get source downloaded
work=$dir/build		# one unpacked, built source tree per library
prefix=$dir		# include/, lib/, lib/pkgconfig/
stamps=$dir/stamps
mkdir -p "$src" "$work" "$prefix/include" "$prefix/lib/pkgconfig" "$stamps"

log() { printf 'static-deps: %s\n' "$*" >&2; }
die() { printf 'static-deps: %s\n' "$*" >&2; exit 1; }

# --- What the build needs from Debian ------------------------------------

need=()
command -v "${CC:-musl-gcc}" >/dev/null || need+=(musl-tools)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
[ -f /usr/lib/x86_64-linux-gnu/libinih.a ] ||
    [ -f "/usr/lib/$(gcc -print-multiarch)/libinih.a" ] || need+=(libinih-dev)
if [ ${#need[@]} -gt 0 ]; then
	log "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
	    install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi

# apt-get source needs deb-src entries: the same archives as the binary
# packages come from, from the deb822 list Debian 12 installs.
srclist=/etc/apt/sources.list.d/hinit-deb-src.sources
if ! apt-cache showsrc libev 2>/dev/null | grep -q "^Package:"; then
	if [ ! -f "$srclist" ]; then
		[ -f /etc/apt/sources.list.d/debian.sources ] ||
		    die "no /etc/apt/sources.list.d/debian.sources to take URIs from"
		log "adding $srclist"
		sed 's/^Types:.*/Types: deb-src/' \
		    /etc/apt/sources.list.d/debian.sources >"$srclist.tmp"
		mv "$srclist.tmp" "$srclist"
	fi
	apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
fi

# --- The compiler ----------------------------------------------------------

export CC=${CC:-musl-gcc}
multiarch=$(gcc -print-multiarch)
# musl-gcc sees musl's headers only; the Linux headers some sources want
# (linux/, asm/) come from a directory of links to the kernel's, never
# from glibc's /usr/include itself.
kinc=$dir/kernel-include
mkdir -p "$kinc"
ln -sfn /usr/include/linux "$kinc/linux"
ln -sfn /usr/include/asm-generic "$kinc/asm-generic"
ln -sfn "/usr/include/$multiarch/asm" "$kinc/asm"
export CFLAGS="-O2 -ffunction-sections -fdata-sections -isystem $kinc"
export CPPFLAGS="-I$prefix/include"
export LDFLAGS="-L$prefix/lib"
# Only this prefix's .pc files, never the system's.
export PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig
unset PKG_CONFIG_PATH
jobs=$(nproc)

# --- One library -----------------------------------------------------------

# fetch PACKAGE: the source package's .dsc in $src, downloaded once: the
# newest version the archive lists whose files it really serves (here the
# security archive lists sources it answers 404 for).
fetch() {
	local pkg=$1 dsc v
	dsc=$(ls "$src/${pkg}"_*.dsc 2>/dev/null | sort -rV | head -n 1)
	if [ -z "$dsc" ]; then
		for v in $(apt-cache madison "$pkg" |
		    awk -F' *[|] *' '$3 ~ / Sources$/ { print $2 }' | sort -rV); do
			log "apt-get source $pkg=$v"
			if (cd "$src" && apt-get source -q --download-only \
			    "$pkg=$v" >/dev/null 2>&1); then
				dsc=$(ls "$src/${pkg}"_*.dsc | head -n 1)
				break
			fi
			rm -f "$src/${pkg}"_*
		done
	fi
	[ -n "$dsc" ] || die "apt-get source $pkg: no version could be fetched"
	echo "$dsc"
}

# build NAME PACKAGE [NEEDS...]: unpack PACKAGE and run build_NAME in it,
# unless the stamp says the same source, recipe and libraries it needs
# were built already.
build() {
	local name=$1 pkg=$2 dsc key n
	shift 2
	dsc=$(fetch "$pkg")
	key=$( {
		echo "$dsc $CC $CFLAGS"
		declare -f "build_$name"
		for n in "$@"; do cat "$stamps/$n"; done
	} | sha256sum | cut -d' ' -f1)
	if [ -f "$stamps/$name" ] && [ "$(cat "$stamps/$name")" = "$key" ]; then
		log "$name: up to date ($(basename "$dsc"))"
		return 0
	fi
	log "$name: building $(basename "$dsc")"
	rm -rf "${work:?}/$name" "$stamps/$name"
	dpkg-source -q -x "$dsc" "$work/$name" >/dev/null 2>&1 ||
	    die "dpkg-source -x $dsc failed"
	# In the background, so that set -e holds inside the recipe (it is
	# off in any command a || follows).
	(cd "$work/$name" && "build_$name") >"$work/$name.log" 2>&1 &
	wait $! || {
		tail -n 40 "$work/$name.log" >&2
		die "$name: build failed (log: $work/$name.log)"
	}
	echo "$key" >"$stamps/$name"
}

# --- The recipes -----------------------------------------------------------

# libcrypto and libssl only: no engines or modules to load (a static
# binary loads nothing), no async (ucontext), no AF_ALG. OPENSSLDIR is
# where Debian and Alpine keep openssl.cnf and the CA certificates.
build_openssl() {
	./Configure linux-x86_64 --prefix="$prefix" --libdir=lib \
	    --openssldir=/etc/ssl no-shared no-async no-afalgeng no-engine \
	    no-tests no-module
	make -j"$jobs" build_libs
	make install_dev
	# Its x86_64 assembly calls OPENSSL_cpuid_setup() from .init, in every
	# program linked with it: in a static hinit before main(), mapping
	# libcrypto's pages with no check that needs TLS. OPENSSL_init_crypto()
	# calls it first thing anyway, and curl's and libpq's set-up call that.
	ar x "$prefix/lib/libcrypto.a" libcrypto-lib-x86_64cpuid.o
	objcopy --remove-section=.init --remove-section=.rela.init \
	    libcrypto-lib-x86_64cpuid.o
	ar r "$prefix/lib/libcrypto.a" libcrypto-lib-x86_64cpuid.o
}

# HTTP and HTTPS only: what the http check type speaks. The threaded
# resolver keeps name lookups off hinit's loop. CA certificates where
# Debian, Alpine and distroless keep them.
build_curl() {
	./configure --prefix="$prefix" --disable-shared \
	    --enable-static --with-openssl="$prefix" \
	    --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt \
	    --with-ca-path=/etc/ssl/certs --enable-threaded-resolver \
	    --enable-ipv6 --disable-ftp --disable-file --disable-ldap \
	    --disable-ldaps --disable-rtsp --disable-dict --disable-telnet \
	    --disable-tftp --disable-pop3 --disable-imap --disable-smb \
	    --disable-smtp --disable-gopher --disable-mqtt --disable-manual \
	    --disable-ntlm --disable-ntlm-wb --disable-tls-srp \
	    --disable-cookies --disable-alt-svc --disable-hsts --disable-doh \
	    --disable-mime --disable-netrc --disable-dateparse \
	    --disable-progress-meter --disable-headers-api \
	    --disable-libcurl-option --disable-unix-sockets \
	    --without-zlib --without-brotli \
	    --without-zstd --without-libidn2 --without-libpsl \
	    --without-nghttp2 --without-nghttp3 --without-ngtcp2 \
	    --without-libssh --without-libssh2 --without-librtmp \
	    --without-gssapi --without-libgsasl
	make -j"$jobs" -C lib
	make -C lib install
	make -C include install
	make install-pkgconfigDATA
}

# libpq and the two archives it needs (src/common, src/port), with OpenSSL
# and nothing else: no Kerberos, LDAP, readline, zlib or ICU.
build_libpq() {
	./configure --prefix="$prefix" \
	    --with-ssl=openssl --without-gssapi --without-ldap \
	    --without-readline --without-zlib --without-icu --without-lz4 \
	    --without-zstd --without-perl --without-python --without-tcl \
	    --disable-nls
	make -C src/include
	make -j"$jobs" -C src/common
	make -j"$jobs" -C src/port
	make -j"$jobs" -C src/interfaces/libpq all-static-lib libpq.pc
	# Copied, not installed: Debian's tree installs these two archives
	# under /usr/lib/postgresql/15/lib, whatever the prefix.
	cp src/common/libpgcommon.a src/port/libpgport.a "$prefix/lib/"
	make -C src/interfaces/libpq install-lib-static install-lib-pc
	cp src/interfaces/libpq/libpq-fe.h src/interfaces/libpq/libpq-events.h \
	    src/include/postgres_ext.h src/include/pg_config_ext.h \
	    "$prefix/include/"
}

# hiredis 0.14 has a Makefile only; the archive and the headers.
build_hiredis() {
	make -j"$jobs" CC="$CC" OPTIMIZATION= CFLAGS="$CFLAGS" static
	make CC="$CC" PREFIX="$prefix" LIBRARY_PATH=lib \
	    OPTIMIZATION= CFLAGS="$CFLAGS" hiredis.pc
	mkdir -p "$prefix/include/hiredis/adapters"
	cp hiredis.h async.h read.h sds.h alloc.h "$prefix/include/hiredis/"
	cp adapters/libev.h "$prefix/include/hiredis/adapters/"
	cp libhiredis.a "$prefix/lib/"
	cp hiredis.pc "$prefix/lib/pkgconfig/"
}

# libev has no .pc file; configure finds ev.h and -lev in the prefix.
# Its constants stay beside its code (-fno-merge-constants), as hinit's
# do (configure.ac): in the pool the linker merges they sit among
# OpenSSL's, and the loop's first turn, which every hinit takes, would map
# 64 KiB of those. Not the other libraries: their constants are touched
# together when a check starts them, and beside their code they spread.
build_libev() {
	./configure --prefix="$prefix" --disable-shared \
	    --enable-static CFLAGS="$CFLAGS -fno-merge-constants"
	make -j"$jobs"
	make install-libLTLIBRARIES install-includeHEADERS
}

build openssl openssl
build curl curl openssl
build libpq postgresql-15 openssl
build hiredis hiredis
build libev libev

# inih: Debian's archive and header, with a .pc file for this prefix.
inih_a=/usr/lib/$multiarch/libinih.a
cp "$inih_a" "$prefix/lib/libinih.a"
cp /usr/include/ini.h "$prefix/include/ini.h"
cat >"$prefix/lib/pkgconfig/inih.pc" <<EOT
prefix=$prefix
Name: inih
Description: simple .INI file parser (Debian's libinih.a)
Version: $(dpkg-query -W -f='${Version}' libinih-dev)
Libs: -L\${prefix}/lib -linih
Cflags: -I\${prefix}/include
EOT

# libtool would read these and the paths in them; the .a files suffice.
rm -f "$prefix"/lib/*.la

log "done: ./configure --enable-static-binary=$dir CC=$CC"
