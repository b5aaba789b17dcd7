#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/bearssl.sh DIR - unpack Debian's bearssl source package into DIR,
# adding a deb-src entry for it when apt has none (as root). BearSSL is
# built from there; its code never enters the repository.
set -eu

dir=$1
[ -f "$dir/inc/bearssl.h" ] && exit 0

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
