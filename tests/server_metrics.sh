#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_metrics.sh - d20d -M: exact counters after a known load (1,000 requests, 10 malformed, deadline, -C cap, TLS), promtool check metrics.
# The checks live in tests/server_metrics.py; timeout bounds the whole run.
# promtool: tests/promtool.sh.
cd "$(dirname "$0")/.." || exit 1
PROMTOOL=$(sh tests/promtool.sh) ||
	{ echo "not ok - promtool: apt-get download prometheus (tests/promtool.sh)"; exit 1; }
export PROMTOOL
exec timeout 300 python3 tests/server_metrics.py
