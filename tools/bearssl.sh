#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/bearssl.sh DIR [MAX_SUITES] - unpack Debian's bearssl source
# package into DIR, adding a deb-src entry for it when apt has none (as
# root). BearSSL is built from there; its code never enters the
# repository. With MAX_SUITES, set BearSSL's build constant
# BR_MAX_CIPHER_SUITES (bearssl_ssl.h, 48 as shipped) to it, in a tree
# unpacked now or earlier (config.mk says why).
set -eu

dir=$1
max=${2:-}

configure() {
	[ -n "$max" ] || return 0
	h=$dir/inc/bearssl_ssl.h
	line="#define BR_MAX_CIPHER_SUITES   $max"
	grep -qx "$line" "$h" && return 0
	sed -i "s/^#define BR_MAX_CIPHER_SUITES  *[0-9][0-9]*\$/$line/" "$h"
	grep -qx "$line" "$h" ||
		{ echo "d20: cannot set BR_MAX_CIPHER_SUITES in $h" >&2; exit 1; }
	echo "d20: BearSSL built with BR_MAX_CIPHER_SUITES $max" >&2
}

if [ -f "$dir/inc/bearssl.h" ]; then
	configure
	exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

fetch() { (cd "$work" && apt-get source --download-only -q bearssl) >/dev/null 2>&1; }

if ! fetch; then
	if [ "$(id -u)" != 0 ]; then
		echo "d20: cannot fetch the bearssl source package: apt needs a deb-src entry." >&2
		echo "d20: as root, add one (Types: deb-src) for bookworm main, run apt-get update, and retry." >&2
		exit 1
	fi
	# Mirror the system's own deb entries as deb-src ones.
	if [ -f /etc/apt/sources.list.d/debian.sources ]; then
		sed -n '/^Types:/{s/^Types:.*/Types: deb-src/};p' \
			/etc/apt/sources.list.d/debian.sources \
			> /etc/apt/sources.list.d/d20-deb-src.sources
	elif grep -q '^deb ' /etc/apt/sources.list 2>/dev/null; then
		sed -n 's/^deb /deb-src /p' /etc/apt/sources.list \
			> /etc/apt/sources.list.d/d20-deb-src.list
	else
		printf 'deb-src http://deb.debian.org/debian bookworm main\n' \
			> /etc/apt/sources.list.d/d20-deb-src.list
	fi
	echo "d20: added a deb-src entry for the bearssl source package" >&2
	apt-get update -q >/dev/null
	fetch || { echo "d20: apt-get source bearssl failed" >&2; exit 1; }
fi

rm -rf "$dir"
mkdir -p "$(dirname "$dir")"
# apt checked the files against the signed Release; dpkg-source needs no keyring.
(cd "$work" && dpkg-source --no-check -x bearssl_*.dsc src) >/dev/null
mv "$work/src" "$dir"
echo "d20: BearSSL $(sed -n 's/^Version: //p' "$work"/bearssl_*.dsc) unpacked in $dir" >&2
configure
