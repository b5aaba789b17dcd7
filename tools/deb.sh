#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/deb.sh OUT - build the d20 and d20d Debian packages into OUT (make
# deb: BUILD/deb). The sources (git's list of files, or the tree without
# build/ when there is no git) are copied to OUT/src/d20-VERSION with
# BearSSL's unpacked source package in its build/bearssl, so that
# dpkg-buildpackage neither downloads nor touches this tree. BEARSSL_SRC
# names an unpacked bearssl source (default BUILD/bearssl, unpacked there
# by tools/bearssl.sh when missing). Prints the paths of the .deb files.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
out=${1:-$BUILD/deb}
bearssl=${BEARSSL_SRC:-$BUILD/bearssl}

sh tools/bearssl.sh "$bearssl"
ver=$(dpkg-parsechangelog -SVersion)
rm -rf "$out"
src=$out/src/d20-$ver
mkdir -p "$src/build/bearssl"
if git rev-parse --git-dir >/dev/null 2>&1; then
	# Tracked and new files as they are in the work tree.
	git ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do [ -e "$f" ] && printf '%s\n' "$f"; done |
		tar -cf - -T - | tar -xf - -C "$src"
else
	tar --exclude=./build --exclude=./.git --exclude=./d20 --exclude=./d20d -cf - . |
		tar -xf - -C "$src"
fi
# BearSSL's source without what a build left in its build/.
(cd "$bearssl" && tar --exclude=./build -cf - .) | tar -xf - -C "$src/build/bearssl"

log=$out/dpkg-buildpackage.log
if ! (cd "$src" && dpkg-buildpackage -us -uc -b -J) >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	echo "d20: dpkg-buildpackage failed (log: $log)" >&2
	exit 1
fi
# dpkg-buildpackage writes beside the source folder.
mv "$out"/src/*.deb "$out"/src/*.changes "$out"/src/*.buildinfo "$out"/
ls "$out"/*.deb
