#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_asan.sh - d20d built by make with the host compiler under ASan and
# UBSan (TLS=0), run through the endpoint, hostile-request and start-up
# checks of tests/server_test.py and the metrics checks of
# tests/server_metrics.py. A memory or undefined-behaviour error
# aborts the child (its client then gets no answer and a check fails) and
# leaves a report in the server's log, which the last check looks for.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
bin=$BUILD/asan/d20d
# built by make test from the same modules as the shipped d20d
if [ ! -x "$bin" ]; then
	echo "not ok - $bin missing: make test builds it"
	exit 1
fi
# workers leave by _exit and chroot away from /proc: no leak check there
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1
D20D=$bin D20D_SANITIZED=1 timeout 300 python3 tests/server_test.py basic |
	sed 's/^\(not \)*ok - /&asan: /'
PROMTOOL=$(sh tests/promtool.sh) || echo "not ok - asan: promtool (tests/promtool.sh)"
export PROMTOOL
D20D=$bin D20D_SANITIZED=1 timeout 300 python3 tests/server_metrics.py |
	sed 's/^\(not \)*ok - /&asan: /'
