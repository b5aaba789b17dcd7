#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_asan.sh - d20 built by make with the host compiler under ASan and
# UBSan (TLS=0), run through the hostile-server and proxy tests: any memory or
# undefined-behaviour error aborts d20, and the checks then fail.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
bin=$BUILD/asan/d20
# built by make test from the same modules as the shipped d20
if [ ! -x "$bin" ]; then
	echo "not ok - $bin missing: make test builds it"
	exit 1
fi
D20="timeout 30 $bin" sh tests/client_hostile.sh | sed 's/^\(not \)*ok - /&asan: /'
D20="timeout 30 $bin" sh tests/client_proxy.sh | sed 's/^\(not \)*ok - /&asan: /'
