#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/promtool.sh - print the path of a promtool for the metrics tests
# (tests/server_metrics.sh, tests/server_asan.sh): the installed one, or
# the one in Debian's prometheus package, downloaded and unpacked under
# D20_CACHE rather than installed (installing it would enable a Prometheus
# server on the machine, listening on every address). Exits 1 when
# neither can be had.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
cache=${D20_CACHE:-$BUILD/cache}
if command -v promtool; then
	exit 0
fi
p=$cache/prometheus/usr/bin/promtool
if ! [ -x "$p" ]; then
	rm -rf "$cache/prometheus"
	mkdir -p "$cache/prometheus/deb"
	(cd "$cache/prometheus/deb" && apt-get download -q prometheus) >/dev/null 2>&1 &&
		dpkg-deb -x "$cache"/prometheus/deb/prometheus_*.deb "$cache/prometheus" &&
		rm -rf "$cache/prometheus/deb" || exit 1
fi
case $p in /*) echo "$p" ;; *) echo "$PWD/$p" ;; esac
