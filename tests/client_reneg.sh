#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_reneg.sh - d20's TLS refuses a renegotiation that OpenSSL's
# s_server asks for, and fails that server cleanly within its deadline
# (the checks are in tests/client_reneg.py).
. "$(dirname "$0")/client_lib.sh"
make_certs "$work" || nok "openssl made the test certificates"
timeout 60 python3 tests/client_reneg.py ./d20 "$work"
