#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_load.sh - d20d: 2,000 answers from 32 clients, the worker pool, deadlines, worker and per-address caps, 1,000 idle connections.
# The checks live in tests/server_test.py; timeout bounds the whole run.
cd "$(dirname "$0")/.." || exit 1
exec timeout 300 python3 tests/server_test.py load
