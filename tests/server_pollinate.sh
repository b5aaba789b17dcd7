#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_pollinate.sh - d20d: Debian's pollinate seeding from d20d over HTTP and HTTPS.
# The checks live in tests/server_test.py; timeout bounds the whole run.
cd "$(dirname "$0")/.." || exit 1
exec timeout 300 python3 tests/server_test.py pollinate
