#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/deploy_install.sh - make install and make uninstall with PREFIX and
# DESTDIR: the exact file list, modes, the paths filled into the units,
# and nothing left behind.
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh
make=${MAKE:-make}

units="d20.service d20-daily.service d20.timer d20d.socket d20d@.service d20d-daemon.socket d20d.service"

# expected PREFIX: the files make install must write under DESTDIR.
expected()
{
	p=${1#/}
	{
		echo "$p/bin/d20"
		echo "$p/sbin/d20d"
		echo "$p/share/man/man1/d20.1"
		echo "$p/share/man/man8/d20d.8"
		for u in $units; do echo "$p/lib/systemd/system/$u"; done
		echo usr/share/initramfs-tools/hooks/d20
		echo usr/share/initramfs-tools/scripts/init-premount/d20
		for f in module-setup.sh d20-online.sh d20-seed.sh; do
			echo "usr/lib/dracut/modules.d/90d20/$f"
		done
	} | sort
}

for prefix in /usr /usr/local; do
	root=$tmp/root$(echo "$prefix" | tr / _)
	$make --no-print-directory -s install DESTDIR="$root" PREFIX="$prefix" >"$tmp/install.log" 2>&1
	check $? "make install DESTDIR=... PREFIX=$prefix"
	(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort) >"$tmp/got"
	expected "$prefix" >"$tmp/want"
	if cmp -s "$tmp/got" "$tmp/want"; then
		ok "PREFIX=$prefix: exactly the $(wc -l <"$tmp/want") expected files"
	else
		notok "PREFIX=$prefix: exactly the expected files"
		diff "$tmp/want" "$tmp/got" | sed 's/^/# /'
	fi
	p=${prefix#/}
	cmp -s "$root/$p/bin/d20" d20 && cmp -s "$root/$p/sbin/d20d" d20d
	check $? "PREFIX=$prefix: the installed binaries are the built ones"
	[ "$(stat -c %a "$root/$p/sbin/d20d")" = 755 ] &&
		[ "$(stat -c %a "$root/$p/share/man/man8/d20d.8")" = 644 ] &&
		[ "$(stat -c %a "$root/usr/share/initramfs-tools/hooks/d20")" = 755 ]
	check $? "PREFIX=$prefix: modes 755 for programs and hooks, 644 for pages"
	! grep -rq '@[A-Z]*DIR@' "$root/$p/lib/systemd/system"
	check $? "PREFIX=$prefix: no placeholder left in the units"
	grep -qx "ExecStart=$prefix/sbin/d20d -i" "$root/$p/lib/systemd/system/d20d@.service" &&
		grep -qx "ExecStart=$prefix/bin/d20 -v --timeout 10" "$root/$p/lib/systemd/system/d20.service"
	check $? "PREFIX=$prefix: the units run $prefix/bin/d20 and $prefix/sbin/d20d"

	$make --no-print-directory -s uninstall DESTDIR="$root" PREFIX="$prefix" >"$tmp/uninstall.log" 2>&1
	check $? "make uninstall DESTDIR=... PREFIX=$prefix"
	left=$(cd "$root" && find . \( -type f -o -type l \) | sed 's|^\./||')
	[ -z "$left" ]
	check $? "PREFIX=$prefix: uninstall left no file${left:+ (left: $left)}"
	! [ -e "$root/usr/lib/dracut/modules.d/90d20" ]
	check $? "PREFIX=$prefix: uninstall removed the dracut module's folder"
done
exit "$failed"
