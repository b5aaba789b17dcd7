#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/arch_size.sh - make check-arch: the size budgets of ARCH's static
# binaries (sizes depend on the toolchain, not on the machine's load).
# With TLS, d20 and d20d within 200 KiB; without, d20 within 64 KiB and
# d20d within 96 KiB, on every CPU.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
: "${ARCH:?ARCH: run by make check-arch}"

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

# budget FILE BYTES WHAT
budget() {
	if ! [ -f "$BUILD/$1" ]; then
		nok "$ARCH $1 is built"
		return
	fi
	size=$(wc -c < "$BUILD/$1")
	if [ "$size" -le "$2" ]; then
		ok "$ARCH $1: $size bytes, within $3"
	else
		nok "$ARCH $1: $size bytes, over $3"
	fi
	readelf -h "$BUILD/$1" | grep -q 'Type: *EXEC' && ! readelf -lW "$BUILD/$1" | grep -q INTERP
	if [ $? = 0 ]; then ok "$ARCH $1 is a static executable"; else nok "$ARCH $1 is a static executable"; fi
}

budget tls1/d20 204800 "200 KiB"
budget tls1/d20d 204800 "200 KiB"
budget tls0/d20 65536 "64 KiB"
budget tls0/d20d 98304 "96 KiB"
