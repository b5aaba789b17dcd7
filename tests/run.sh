#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/run.sh TEST... - run each test program or script, show its output,
# and count its "ok" and "not ok" lines. A test that exits non-zero with
# no "not ok" line counts as one failure; so does one that checks nothing.
# Ends with the line "N passed, N failed" and exits 1 on any failure.
# With D20_EMU (make check-arch), test programs run through it: qemu-user.

pass=0
fail=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT INT TERM

for t in "$@"; do
	echo "# $t"
	case $t in
	*.sh) sh "$t" >"$out" 2>&1 ;;
	*) ${D20_EMU:+"$D20_EMU"} "$t" >"$out" 2>&1 ;;
	esac
	rc=$?
	sed 's/^/  /' "$out"
	p=$(grep '^ok ' "$out" | grep -vc '# SKIP')
	k=$(grep '^ok ' "$out" | grep -c '# SKIP')
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "  not ok - $t exited with status $rc"
		f=1
	fi
	if [ "$p" = 0 ] && [ "$f" = 0 ] && [ "$k" = 0 ]; then
		echo "  not ok - $t made no check"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	skip=$((skip + k))
done

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
