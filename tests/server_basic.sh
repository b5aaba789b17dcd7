#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_basic.sh - d20d: endpoints, both protocols verified, every status code, hostile requests, logging, privilege drop.
# The checks live in tests/server_test.py; timeout bounds the whole run.
cd "$(dirname "$0")/.." || exit 1
exec timeout 300 python3 tests/server_test.py basic
