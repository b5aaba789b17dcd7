#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_metrics.sh - d20d -M: exact counters after a known load (1,000 requests, 10 malformed, deadline, -C cap, TLS), promtool check metrics.
# The checks live in tests/server_metrics.py; timeout bounds the whole run.
cd "$(dirname "$0")/.." || exit 1
command -v promtool >/dev/null || { echo "not ok - promtool is missing: sh tools/deps.sh check"; exit 1; }
exec timeout 300 python3 tests/server_metrics.py
