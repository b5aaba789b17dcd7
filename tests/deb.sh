#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/deb.sh - the Debian packages (make deb's tools/deb.sh): built,
# lintian without an error or a warning (overrides are in debian/, each
# with its reason), installed with dpkg into a minbase bookworm chroot
# made by debootstrap (cached as a tarball in D20_CACHE, default
# BUILD/cache), where:
# - the d20 package's trigger makes update-initramfs put d20 into the
#   initramfs (lsinitramfs shows usr/bin/d20), built for Debian's kernel
#   of this machine, whose image is copied into the chroot's /boot and
#   whose modules are bind-mounted read-only (no kernel package in the
#   chroot; MODULES=list keeps the image small);
# - no d20 or d20d unit is enabled, though deb-systemd-helper ran;
# - dpkg --purge of both leaves no file behind (the chroot's file list
#   before the install and after the purge, dpkg's and apt's own
#   databases and logs aside) and d20 leaves the initramfs again.
# The chroot's mounts live in a mount namespace of their own (unshare).
# D20_DEB_REUSE=1 tests the packages of the previous run without
# rebuilding them (for work on this test).
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh
[ "$(id -u)" = 0 ] || { notok "runs as root (chroot, mounts)"; exit 1; }
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
cache=${D20_CACHE:-$BUILD/cache}
ver=$(dpkg-parsechangelog -SVersion)
arch=$(dpkg --print-architecture)

# ---- build and lintian ----
out=$BUILD/deb-test
start=$(date +%s)
# D20_DEB_REUSE=1: test the packages of the last run again, unbuilt.
if [ "${D20_DEB_REUSE:-0}" = 1 ] && [ -f "$out/d20_${ver}_$arch.changes" ]; then
	echo "# D20_DEB_REUSE=1: the packages in $out, not rebuilt"
else
	sh tools/deb.sh "$out" >"$tmp/build.log" 2>&1
	check $? "make deb's build: d20 and d20d packages in $(($(date +%s) - start)) s"
fi
d20deb=$out/d20_${ver}_$arch.deb
d20ddeb=$out/d20d_${ver}_$arch.deb
[ -f "$d20deb" ] && [ -f "$d20ddeb" ] || { notok "both .deb files exist"; sed 's/^/# /' "$tmp/build.log" | tail -n 30; exit 1; }

start=$(date +%s)
lintian --pedantic "$out/d20_${ver}_${arch}.changes" >"$tmp/lintian.log" 2>&1
echo "# lintian --pedantic ($(lintian --version 2>/dev/null)), $(($(date +%s) - start)) s:"
grep -v -e '^running with root privileges' "$tmp/lintian.log" | sed 's/^/#   /'
! grep -q '^[EW]: ' "$tmp/lintian.log"
check $? "lintian: no error and no warning"
dpkg-deb -c "$d20deb" >"$tmp/c1" && dpkg-deb -c "$d20ddeb" >"$tmp/c2" &&
	grep -q ' \./usr/bin/d20$' "$tmp/c1" && grep -q ' \./usr/sbin/d20d$' "$tmp/c2" &&
	[ "$(dpkg-deb --ctrl-tarfile "$d20deb" | tar -xOf - ./conffiles)" = /etc/d20/servers ] &&
	! dpkg-deb --fsys-tarfile "$d20deb" | tar -xOf - ./etc/d20/servers | grep -qv '^#'
check $? "d20 ships usr/bin/d20 and /etc/d20/servers as a conffile of comments only; d20d usr/sbin/d20d"

# ---- the chroot ----
find_kernel || { notok "a Debian kernel with its modules on this machine (linux-image-amd64)"; exit 1; }
base=$cache/bookworm-minbase-$arch.tar.gz
if ! [ -s "$base" ]; then
	# The mirror this machine's apt uses for bookworm.
	mirror=$(apt-cache policy | awk -v a="$arch" '$3 == "bookworm/main" && $4 == a { print $2; exit }')
	start=$(date +%s)
	mkdir -p "$cache" "$tmp/boot"
	timeout 1200 debootstrap --variant=minbase --include=initramfs-tools,init-system-helpers \
		bookworm "$tmp/boot/root" "$mirror" >"$tmp/debootstrap.log" 2>&1 &&
		tar -C "$tmp/boot/root" -czf "$base.part" . && mv "$base.part" "$base"
	check $? "debootstrap minbase bookworm with initramfs-tools, cached in $base ($(($(date +%s) - start)) s)"
	rm -rf "$tmp/boot"
	[ -s "$base" ] || { tail -n 20 "$tmp/debootstrap.log" | sed 's/^/# /'; exit 1; }
fi
root=$tmp/root
mkdir "$root"
tar -C "$root" -xzf "$base"
check $? "the cached chroot unpacked"
cp "$d20deb" "$d20ddeb" "$root/tmp/"

# What runs inside the mount namespace: everything in the chroot.
cat >"$tmp/inside.sh" <<EOF
set -u
r=$root
mkdir -p "\$r/lib/modules/$kver"
mount --bind "/lib/modules/$kver" "\$r/lib/modules/$kver" &&
	mount -o remount,bind,ro "\$r/lib/modules/$kver" || exit 3
# The kernel's image and config too: update-initramfs -u (the trigger)
# updates the initramfs of each kernel linux-version finds in /boot.
cp "/boot/config-$kver" "$vmlinuz" "\$r/boot/"
mount -t proc proc "\$r/proc" || exit 3
sed -i 's/^MODULES=.*/MODULES=list/' "\$r/etc/initramfs-tools/initramfs.conf"
ch() { chroot "\$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C "\$@"; }
files() { ch find / -xdev \\( -path /proc -o -path /tmp -o -path /var/lib/dpkg -o -path /var/lib/apt \\
	-o -path /var/log -o -path /var/cache \\) -prune -o -print | sort; }

ch update-initramfs -c -k $kver >$tmp/initramfs0.log 2>&1; echo \$? >$tmp/initramfs0.rc
ch lsinitramfs /boot/initrd.img-$kver >$tmp/ls0 2>&1
files >$tmp/files-before
ch dpkg -i /tmp/${d20deb##*/} /tmp/${d20ddeb##*/} >$tmp/install.log 2>&1; echo \$? >$tmp/install.rc
ch lsinitramfs /boot/initrd.img-$kver >$tmp/ls1 2>&1
ch dpkg -L d20 d20d >$tmp/dpkg-L 2>&1
find "\$r/etc/systemd" "\$r/var/lib/systemd" 2>/dev/null | sed "s|^\$r||" >$tmp/systemd-state
ch dpkg --purge d20 d20d >$tmp/purge.log 2>&1; echo \$? >$tmp/purge.rc
ch lsinitramfs /boot/initrd.img-$kver >$tmp/ls2 2>&1
files >$tmp/files-after
EOF
start=$(date +%s)
timeout 900 unshare --mount --propagation private sh "$tmp/inside.sh"
check $? "the chroot's steps ran ($(($(date +%s) - start)) s; kernel $kver, modules read-only)"

[ "$(cat "$tmp/initramfs0.rc" 2>/dev/null)" = 0 ] && grep -q 'usr/bin/busybox\|bin/sh' "$tmp/ls0" &&
	! grep -q 'usr/bin/d20$' "$tmp/ls0"
check $? "update-initramfs -c in the chroot, before: an initramfs without d20"
[ "$(cat "$tmp/install.rc" 2>/dev/null)" = 0 ]
check $? "dpkg -i d20 d20d"
grep -q 'update-initramfs' "$tmp/install.log" && grep -qx 'usr/bin/d20' "$tmp/ls1" &&
	grep -qx 'scripts/init-premount/d20' "$tmp/ls1"
check $? "the install's trigger ran update-initramfs; lsinitramfs shows usr/bin/d20 and scripts/init-premount/d20"
grep -qx /usr/bin/d20 "$tmp/dpkg-L" && grep -qx /usr/sbin/d20d "$tmp/dpkg-L" &&
	grep -qx /usr/share/initramfs-tools/hooks/d20 "$tmp/dpkg-L" &&
	grep -qx /usr/lib/dracut/modules.d/90d20/module-setup.sh "$tmp/dpkg-L" &&
	grep -qx /lib/systemd/system/d20d.socket "$tmp/dpkg-L" && grep -qx /lib/systemd/system/d20.timer "$tmp/dpkg-L"
check $? "installed: d20, d20d, the hook, the dracut module, the units"
# deb-systemd-helper ran (its state names the units) but enabled nothing.
grep -q 'deb-systemd-helper-enabled/d20d.socket.dsh-also' "$tmp/systemd-state" &&
	! grep '^/etc/systemd' "$tmp/systemd-state" | grep -q d20
check $? "no d20 or d20d unit enabled by the install (deb-systemd-helper ran)"
[ "$(cat "$tmp/purge.rc" 2>/dev/null)" = 0 ] && ! grep -q 'usr/bin/d20$' "$tmp/ls2"
check $? "dpkg --purge d20 d20d; the trigger took d20 out of the initramfs again"
if [ -s "$tmp/files-before" ] && cmp -s "$tmp/files-before" "$tmp/files-after"; then
	ok "purge left no file behind ($(wc -l <"$tmp/files-before") paths compared)"
else
	notok "purge left no file behind"
	diff "$tmp/files-before" "$tmp/files-after" | sed 's/^/# /' | head -n 20
fi
[ "$failed" = 0 ] || grep d20 "$tmp/ls1" | sed "s/^/# ls1: /"
[ "$failed" = 0 ] || for f in initramfs0.log install.log purge.log; do
	sed "s|^|# $f: |" "$tmp/$f" 2>/dev/null | tail -n 15
done
exit "$failed"
