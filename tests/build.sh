#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/build.sh - the shipped binaries are static and stripped, answer
# --help, and a TLS=0 build links nothing of BearSSL. The size limits
# (d20d under 200 KiB with TLS, 64 KiB without; d20 within 160 KiB and
# 48 KiB; other CPUs: tests/arch_size.sh) are checked here:
# sizes do not depend on the machine's load, only on the toolchain.
cd "$(dirname "$0")/.." || exit 1
: "${MAKE:=make}"
BUILD=${BUILD:-build}

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }

for b in d20 d20d; do
	check "$b is a static executable (no program interpreter)" \
		sh -c "readelf -lW $b | grep -q 'Executable file' && ! readelf -lW $b | grep -q INTERP"
	check "$b is stripped" sh -c "! readelf -SW $b | grep -q '\.symtab'"
	check "$b --help exits 0 and prints usage" sh -c "./$b --help | grep -q '^usage: $b '"
	check "$b with a bad option exits 2" sh -c "./$b --no-such-option 2>/dev/null; [ \$? = 2 ]"
done

# TLS=0: BearSSL must not even be on the link line.
link=$($MAKE -n -B TLS=0 "$BUILD/tls0/d20" "$BUILD/tls0/d20d" 2>&1 | grep -- ' -o .*tls0/d20')
check "TLS=0 link lines name no BearSSL" sh -c "[ -n '$link' ] && ! echo '$link' | grep -qi bearssl"
if $MAKE -s TLS=0 "$BUILD/tls0/d20" "$BUILD/tls0/d20d" >/dev/null 2>&1; then
	ok "TLS=0 build succeeds"
	size=$(wc -c < "$BUILD/tls0/d20d")
	echo "# TLS=0 d20: $(wc -c < "$BUILD/tls0/d20") bytes, d20d: $size bytes"
	check "TLS=0 d20d under 64 KiB ($size bytes)" [ "$size" -lt 65536 ]
	size=$(wc -c < "$BUILD/tls0/d20")
	check "TLS=0 d20 within 48 KiB ($size bytes)" [ "$size" -le 49152 ]
else
	nok "TLS=0 build succeeds"
fi
if [ -f "$BUILD/tls1/d20d" ]; then
	size=$(wc -c < "$BUILD/tls1/d20d")
	check "d20d with TLS under 200 KiB ($size bytes)" [ "$size" -lt 204800 ]
fi
if [ -f "$BUILD/tls1/d20" ]; then
	size=$(wc -c < "$BUILD/tls1/d20")
	check "d20 with TLS within 160 KiB ($size bytes)" [ "$size" -le 163840 ]
fi
