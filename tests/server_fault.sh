#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_fault.sh - d20d under load and faults: 10,000 verified
# requests at 64 at once, a 1,000-connection slowloris, the -c cap full,
# workers SIGKILLed mid-request, SIGTERM under load, d20 against a dead, a
# dripping and a good server, and the pool back at rest after each.
# The checks live in tests/fault_test.py; timeout bounds the whole run.
cd "$(dirname "$0")/.." || exit 1
exec timeout 300 python3 tests/fault_test.py
