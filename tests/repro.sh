#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/repro.sh - reproducible builds: the Debian packages (tools/deb.sh)
# built twice, in two folders, with umask 022 and 077, locale C and
# C.UTF-8, time zone UTC and UTC+14, the second a day and two hours later
# by the clock (faketime) as well as minutes later by the real one. d20,
# d20d and both .deb files must be byte-identical; when one is not,
# diffoscope shows what differs. Prints the SHA-256 of each (the README's
# "Verifying a release" quotes them). make check-repro runs it alone.
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
dir=$BUILD/repro
rm -rf "$dir"
mkdir -p "$dir"
ver=$(dpkg-parsechangelog -SVersion)
arch=$(dpkg --print-architecture)
debs="d20_${ver}_$arch.deb d20d_${ver}_$arch.deb"

start=$(date +%s)
(umask 022 && LC_ALL=C LANG=C TZ=UTC sh tools/deb.sh "$dir/a") >"$dir/a.log" 2>&1
check $? "first build (umask 022, LC_ALL=C, TZ=UTC) in $dir/a"
a_secs=$(($(date +%s) - start))
later=
command -v faketime >/dev/null 2>&1 && later="faketime -f +26h"
start=$(date +%s)
(umask 077 && LC_ALL=C.UTF-8 LANG=C.UTF-8 TZ=Etc/GMT-14 $later sh tools/deb.sh "$dir/b") >"$dir/b.log" 2>&1
check $? "second build (umask 077, LC_ALL=C.UTF-8, TZ=UTC+14${later:+, clock +26 h}) in $dir/b"
b_secs=$(($(date +%s) - start))
echo "# build times: ${a_secs}s and ${b_secs}s"

# diffoscope on a difference, bounded; its report goes to the test output.
explain()
{
	if command -v diffoscope >/dev/null 2>&1; then
		timeout 300 diffoscope --text "$dir/$2.diff" "$dir/a/$1" "$dir/b/$1" >/dev/null 2>&1
		head -n 60 "$dir/$2.diff" | sed 's/^/# /'
	else
		cmp "$dir/a/$1" "$dir/b/$1" | sed 's/^/# /'
	fi
}

for d in $debs; do
	mkdir -p "$dir/x/a" "$dir/x/b"
	dpkg-deb -x "$dir/a/$d" "$dir/x/a" 2>/dev/null
	dpkg-deb -x "$dir/b/$d" "$dir/x/b" 2>/dev/null
done
for b in usr/bin/d20 usr/sbin/d20d; do
	if [ -f "$dir/x/a/$b" ] && cmp -s "$dir/x/a/$b" "$dir/x/b/$b"; then
		ok "${b##*/} is byte-identical in both builds"
	else
		notok "${b##*/} is byte-identical in both builds"
		explain "x/$b" "${b##*/}"
	fi
done
for d in $debs; do
	if [ -f "$dir/a/$d" ] && cmp -s "$dir/a/$d" "$dir/b/$d"; then
		ok "$d is byte-identical in both builds"
	else
		notok "$d is byte-identical in both builds"
		explain "$d" "$d"
	fi
done

# The release's hashes, as the README quotes them.
if [ "$failed" = 0 ]; then
	echo "# SHA-256 of version $ver ($arch), SOURCE_DATE_EPOCH from debian/changelog:"
	(cd "$dir/x/a/usr" && sha256sum bin/d20 sbin/d20d) | sed 's|  .*/|  |; s/^/#   /'
	(cd "$dir/a" && sha256sum $debs) | sed 's/^/#   /'
fi
exit "$failed"
