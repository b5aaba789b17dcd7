#!/bin/sh
# SPDX-License-Identifier: MIT
# ./do demo | ./do check | ./do bench-crypto | ./do TARGET...
# The README's entry point on a fresh Debian machine: make sure make and a
# C compiler exist (installing them through apt as root), then run make;
# the Makefile installs whatever else its targets need.
set -eu
cd "$(dirname "$0")"
if ! command -v make >/dev/null 2>&1 || ! command -v cc >/dev/null 2>&1; then
	sh tools/deps.sh build
fi
[ $# -gt 0 ] || set -- demo
exec make -j"$(nproc 2>/dev/null || echo 2)" "$@"
