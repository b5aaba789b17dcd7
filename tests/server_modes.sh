#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_modes.sh - d20d: -i on pipes and sockets, systemd socket activation, -d/-p, SIGTERM and SIGINT.
# The checks live in tests/server_test.py; timeout bounds the whole run.
cd "$(dirname "$0")/.." || exit 1
exec timeout 300 python3 tests/server_test.py modes
