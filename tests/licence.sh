#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/licence.sh - d20 is MIT-licensed and says so: LICENSE holds the MIT
# text for "the d20 authors", every tracked source file (the seed corpora,
# the plot, the generated results and the two files of debian/ whose format
# allows no comment excepted) has an SPDX line in its
# first two lines, and the README and both man pages name the licence.
cd "$(dirname "$0")/.." || exit 1

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { d=$1; shift; if "$@"; then ok "$d"; else nok "$d"; fi; }

check "LICENSE is the MIT text" grep -q '^Permission is hereby granted, free of charge' LICENSE
check "LICENSE names the d20 authors" grep -q '^Copyright (c) [0-9]* the d20 authors$' LICENSE
check "README says MIT" grep -q 'MIT licence' README
check "d20.1 has a LICENSE section naming MIT" sh -c "sed -n '/^\.SH LICENSE/,/^\.SH/p' d20.1 | grep -q MIT"
check "d20d.8 has a LICENSE section naming MIT" sh -c "sed -n '/^\.Sh LICENSE/,/^\.Sh/p' d20d.8 | grep -q MIT"

if command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1; then
	files=$(git ls-files | grep -v -e '^tests/corpus/' -e '\.png$' -e '\.md$' \
		-e '^README$' -e '^LICENSE$' -e '^debian/changelog$' -e '^debian/source/format$')
else
	files=$(find . -type f ! -path './build/*' ! -path './.git/*' ! -path './tests/corpus/*' \
		! -name '*.png' ! -name '*.md' ! -name README ! -name LICENSE ! -name d20 ! -name d20d \
		! -path ./debian/changelog ! -path ./debian/source/format)
fi
n=0
missing=
for f in $files; do
	n=$((n + 1))
	head -n 2 "$f" | grep -q 'SPDX-License-Identifier: MIT' || missing="$missing $f"
done
check "all $n source files carry SPDX-License-Identifier: MIT${missing:+ (missing:$missing)}" \
	[ -z "$missing" ]
