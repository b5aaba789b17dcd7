#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_metrics.sh - d20d -M: exact counters after a known load (1,000 requests, 10 malformed, deadline, -C cap, TLS), promtool check metrics.
# The checks live in tests/server_metrics.py; timeout bounds the whole run.
# promtool comes from Debian's prometheus package, downloaded and unpacked
# under D20_CACHE rather than installed: installing it would enable a
# Prometheus server on the machine, listening on every address.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
cache=${D20_CACHE:-$BUILD/cache}
PROMTOOL=$(command -v promtool)
if [ -z "$PROMTOOL" ]; then
	PROMTOOL=$cache/prometheus/usr/bin/promtool
	if ! [ -x "$PROMTOOL" ]; then
		rm -rf "$cache/prometheus"
		mkdir -p "$cache/prometheus/deb"
		(cd "$cache/prometheus/deb" && apt-get download -q prometheus) >/dev/null 2>&1 &&
			dpkg-deb -x "$cache"/prometheus/deb/prometheus_*.deb "$cache/prometheus" &&
			rm -rf "$cache/prometheus/deb" ||
			{ echo "not ok - apt-get download prometheus (for promtool) into $cache"; exit 1; }
	fi
fi
export PROMTOOL
exec timeout 300 python3 tests/server_metrics.py
