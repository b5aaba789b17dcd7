#!/bin/sh
# tests/client_asan.sh - d20 built with the host compiler under ASan and
# UBSan (TLS=0), run through the hostile-server tests: any memory or
# undefined-behaviour error aborts d20, and the checks then fail.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
bin=$BUILD/asan/d20
mkdir -p "$BUILD/asan"
if ! ${HOSTCC:-cc} -D_DEFAULT_SOURCE -DVERSION='"asan"' -DD20_TLS=0 -std=c99 -O1 -g \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -o "$bin" d20.c url.c answer.c dns.c sha512.c util.c; then
	echo "not ok - d20 builds under ASan and UBSan"
	exit 1
fi
echo "ok - d20 builds under ASan and UBSan"
D20="timeout 30 $bin" sh tests/client_hostile.sh | sed 's/^\(not \)*ok - /&asan: /'
