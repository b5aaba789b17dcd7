#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_tls.sh - d20d: HTTPS listeners with EC and RSA keys, SIGHUP reload, -i --tls, TLS=0 refusals.
# The checks live in tests/server_test.py; timeout bounds the whole run.
cd "$(dirname "$0")/.." || exit 1
exec timeout 300 python3 tests/server_test.py tls
