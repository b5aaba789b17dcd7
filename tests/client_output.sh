#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_output.sh - d20 -o FILE writes the seed to a new file of
# mode 0600 and renames it into place: an existing file another user owns
# with mode 0644 ends up a 0600 file of d20's user holding the seed; a
# symbolic link, a directory or a folder d20 cannot write is refused
# before any server is asked, with exit 2, the link's target untouched;
# no run leaves a temporary file behind; -o - and -o /dev/null still work.
. "$(dirname "$0")/client_lib.sh"

start_test_server
out=$work/out
url=http://127.0.0.1:$hp/
d=$work/o
mkdir "$d"
# leftovers: anything in $d but the names given
leftovers() {
	_keep=$(printf '%s\n' "$@")
	(cd "$d" && ls -A | grep -vxF "$_keep")
}

# The review's case: root writes where another user can read.
printf 'old contents\n' >"$d/seed"
chmod 644 "$d/seed"
if [ "$(id -u)" = 0 ]; then
	chown 65534:65534 "$d/seed"
	$D20 -v -o "$d/seed" "$url" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	got=$(stat -c '%u:%g %a %s' "$d/seed")
	check "an existing 0644 file of uid 65534 is replaced: now '$got', want '0:0 600 64'" \
		sh -c "[ $rc = 0 ] && [ '$got' = '0:0 600 64' ]"
	check "... and holds the seed, not the old contents" sh -c "! grep -q 'old contents' '$d/seed'"
else
	$D20 -v -o "$d/seed" "$url" >"$out" 2>&1
	got=$(stat -c '%a %s' "$d/seed")
	check "an existing 0644 file is replaced by a 0600 one: '$got'" [ "$got" = "600 64" ]
fi
check "... no temporary file left" [ -z "$(leftovers seed)" ]

# A new file: mode 0600 whatever the umask lets through.
(umask 022 && $D20 -q -o "$d/new" "$url")
check "a new file: mode 600, 64 bytes" [ "$(stat -c '%a %s' "$d/new" 2>&1)" = "600 64" ]

# A symbolic link: refused before any server is asked, target untouched.
printf 'keep me\n' >"$work/target"
chmod 644 "$work/target"
ln -s "$work/target" "$d/link"
$D20 -v -o "$d/link" "$url" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "-o a symbolic link: exit 2, says so" \
	sh -c "[ $rc = 2 ] && grep -q 'link: a symbolic link' '$out'"
check "... nothing asked of the server" sh -c "! grep -q 'verified' '$out'"
check "... the link and its target untouched" \
	sh -c "[ -L '$d/link' ] && [ \"\$(cat '$work/target')\" = 'keep me' ] &&
		[ \"\$(stat -c %a '$work/target')\" = 644 ]"

mkdir "$d/dir"
$D20 -v -o "$d/dir" "$url" >"$out" 2>&1
rc=$?
check "-o a directory: exit 2, says so" sh -c "[ $rc = 2 ] && grep -q 'dir: a directory' '$out'"
$D20 -v -o "$d/nodir/seed" "$url" >"$out" 2>&1
rc=$?
check "-o into a folder that does not exist: exit 2" \
	sh -c "[ $rc = 2 ] && grep -q 'its folder does not exist' '$out'"
check "... no temporary file left by any of them" [ -z "$(leftovers seed new link dir)" ]

# A folder the user cannot write: as root, run d20 as nobody.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
	chmod 755 "$work" "$d"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		$D20 -v -o "$d/seed" "$url" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "-o in a folder d20's user cannot write: exit 2, says so" \
		sh -c "[ $rc = 2 ] && grep -q 'its folder is not writable' '$out'"
	chmod 700 "$work"
fi

# A write that fails half way (a full file system): exit 1, the old
# file kept, no temporary file left.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	unshare -m sh -c '
		dir=$1 url=$2
		shift 2
		mount -t tmpfs -o size=4k none "$dir" &&
		printf "old\n" >"$dir/seed" &&
		{ dd if=/dev/zero of="$dir/fill" bs=1k count=16 2>/dev/null; true; } &&
		"$@" -v -o "$dir/seed" "$url"; echo "rc=$?"
		echo "left: $(ls -A "$dir" | tr "\n" " ")"
		echo "seed: $(cat "$dir/seed")"' sh "$d/dir" "$url" $D20 >"$out" 2>&1
	sed 's/^/# /' "$out"
	check "a full file system: exit 1, the old file kept, no temporary file" \
		sh -c "grep -q '^rc=1' '$out' && grep -q '^left: fill seed $' '$out' &&
			grep -q '^seed: old' '$out' && grep -q 'No space left' '$out'"
fi

# Servers that fail: no seed written, no file made.
$D20 -q --timeout 1 -o "$d/none" "http://127.0.0.1:1/" >/dev/null 2>&1
check "no server verified: exit 1, no file and no temporary file" \
	sh -c "[ $? = 1 ] && [ ! -e '$d/none' ] && [ -z \"\$(cd '$d' && ls -A | grep d20-)\" ]"

n=$($D20 -q -o - "$url" | wc -c)
check "-o - writes the 64-byte seed to stdout" [ "$n" = 64 ]
$D20 -q -o /dev/null "$url"
check "-o /dev/null (a character device) still works, and stays one" \
	sh -c "[ $? = 0 ] && [ -c /dev/null ]"
