#!/bin/bash
# contrib/deps.sh: install what building and testing hinit needs on Debian 12
# (as root), and what is missing only. Used by the README's two commands.
set -euo pipefail

pkgs=(
	# build
	build-essential autoconf automake libtool pkg-config
	libev-dev libinih-dev libcurl4-openssl-dev libpq-dev libhiredis-dev
	# the static build: musl, and what apt-get source unpacks with
	musl-tools dpkg-dev
	# the servers and tools the tests start and drive
	postgresql-15 redis-server python3 curl openssl procps util-linux
	iproute2 locales podman runc
	# the static build's container tests: a static app, a DNS server
	busybox-static dnsmasq-base
	# hardening: sanitizers, fuzzing, valgrind; tests/under-load.sh's hogs
	clang libclang-rt-14-dev valgrind strace stress-ng
)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -q >/dev/null
	apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends \
	    "${missing[@]}" >/dev/null
fi

# podman here runs without systemd: runc, and limits that fit a test box.
if [ ! -f /etc/containers/containers.conf ] ||
    ! grep -q 'runtime *= *"runc"' /etc/containers/containers.conf; then
	mkdir -p /etc/containers
	cat > /etc/containers/containers.conf <<'CONF'
[engine]
runtime="runc"

[containers]
default_ulimits=["nofile=20000:20000","nproc=4096:4096"]
CONF
fi
