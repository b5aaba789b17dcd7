#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/boot_dracut.sh - the dracut module: build an image with it through
# Debian's real dracut for Debian's kernel, find its files inside, and boot
# it under QEMU (TCG) the way tests/boot_initramfs.sh boots initramfs-tools'
# image: four d20d -i behind guestfwd, restrict=on (see make_servers in
# tests/boot_lib.sh for plain HTTP or TLS).
# dracut's systemd initramfs brings the network up with systemd-networkd
# (rd.neednet=1 ip=...); the module's pre-mount hook runs d20; the root is a
# blank ext4 disk with no init, so switching root fails and
# rd.emergency=poweroff ends the boot.
#
# Debian's dracut and initramfs-tools conflict, and the machine keeps
# initramfs-tools for tests/boot_initramfs.sh, so dracut is not installed:
# its packages (dracut-core, and dracut-network for the network module the
# d20 module depends on) are fetched with apt-get download into
# $BUILD/dracut, unpacked there with dpkg-deb -x, and run from there with
# dracutbasedir pointing at the unpacked tree (plus our module) and a
# configuration of our own, so nothing under /etc is read or changed.
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh

build=${BUILD:-build}
case $build in
/*) dr=$build/dracut ;;
*) dr=$PWD/$build/dracut ;;
esac
find_kernel || { notok "a Debian kernel with its modules (linux-image-amd64)"; exit 1; }
[ -x "$bin/d20" ] || { notok "d20 is built"; exit 1; }

if ! [ -x "$dr/root/usr/bin/dracut" ]; then
	rm -rf "$dr"
	mkdir -p "$dr/debs"
	# Package lists may be missing or stale on a machine that had all of
	# tools/deps.sh's packages already: then update them once, as root.
	(cd "$dr/debs" && apt-get download dracut-core dracut-network) >"$tmp/fetch.log" 2>&1 ||
		{ [ "$(id -u)" = 0 ] && apt-get update -q >>"$tmp/fetch.log" 2>&1 &&
		(cd "$dr/debs" && apt-get download dracut-core dracut-network) >>"$tmp/fetch.log" 2>&1; }
	for d in "$dr"/debs/*.deb; do
		dpkg-deb -x "$d" "$dr/root" || break
	done
	[ -x "$dr/root/usr/bin/dracut" ] || {
		notok "dracut-core and dracut-network fetched with apt-get download"
		sed 's/^/# /' "$tmp/fetch.log"
		exit 1
	}
fi
echo "# $(ls "$dr/debs" | tr '\n' ' ')"

for t in qemu-system-x86_64 openssl mkfs.ext4; do
	command -v "$t" >/dev/null || { notok "$t is installed (tools/deps.sh check)"; exit 1; }
done
base=$tmp/base
cp -a "$dr/root/usr/lib/dracut" "$base"
cp -a initramfs/dracut/90d20 "$base/modules.d/90d20"
mkdir -p "$tmp/conf.d" "$tmp/etc" "$tmp/work"
: >"$tmp/dracut.conf"
make_servers
ports="4431 4432 4433 4434"
for p in $ports; do
	echo "$scheme://10.0.2.100:$p/$linepin"
done >"$tmp/etc/servers"
# A CA bundle to carry along (d20 gets --ca; the servers need none).
[ -n "$has_tls" ] && cp "$tmp/cert.pem" "$tmp/etc/ca.pem"

run_dracut()
{
	D20=$bin/d20 D20_ETC=$tmp/etc dracutbasedir=$base \
		timeout 300 bash "$dr/root/usr/bin/dracut" --force --no-hostonly \
		--nostrip --no-early-microcode \
		--conf "$tmp/dracut.conf" --confdir "$tmp/conf.d" --tmpdir "$tmp/work" \
		--kver "$kver" "$@"
}

# The opt-in line module-setup.sh documents, in a dracut.conf.d file.
echo 'add_dracutmodules+=" d20 "' >"$tmp/conf.d/d20.conf"
img=$tmp/d20.img
run_dracut -m "base systemd-initrd dracut-systemd rootfs-block" \
	--add-drivers "virtio_pci virtio_net virtio_blk ext4" "$img" >"$tmp/dracut.log" 2>&1
check $? "dracut builds an image with add_dracutmodules+=\" d20 \""
grep -q 'Including module: d20' "$tmp/dracut.log"
check $? "dracut included the d20 module"
grep -q 'Including module: network' "$tmp/dracut.log"
check $? "dracut included the network module d20 depends on"

dracutbasedir=$base bash "$dr/root/usr/bin/lsinitrd" "$img" >"$tmp/files" 2>&1
for f in usr/bin/d20 usr/sbin/d20-seed etc/d20/servers ${has_tls:+etc/d20/ca.pem} \
	usr/lib/dracut/hooks/initqueue/online/90-d20-online.sh \
	usr/lib/dracut/hooks/pre-mount/90-d20-online.sh; do
	grep -q " $f\$" "$tmp/files"
	check $? "the image holds $f"
done

x=$tmp/x
mkdir "$x"
(cd "$x" && dracutbasedir=$base bash "$dr/root/usr/bin/lsinitrd" --unpack "$img" \
	usr/bin/d20 usr/sbin/d20-seed etc/d20/servers) >/dev/null 2>&1
cmp -s "$x/usr/bin/d20" "$bin/d20"
check $? "the image's d20 is the built one"
cmp -s "$x/usr/sbin/d20-seed" initramfs/dracut/90d20/d20-seed.sh
check $? "the image's d20-seed is the module's"
cmp -s "$x/etc/d20/servers" "$tmp/etc/servers"
check $? "the image's server list is the configured one"

# The boot. Fixed PCI slots keep the interface name (ens3) stable.
# shellcheck disable=SC2086
make_netdev $ports
truncate -s 16M "$tmp/root.ext4" && mkfs.ext4 -q -F "$tmp/root.ext4"
log=$tmp/boot.log
t0=$(date +%s)
timeout -k 5 150 qemu-system-x86_64 -accel tcg -m 768 -nographic -no-reboot \
	-kernel "$vmlinuz" -initrd "$img" \
	-drive file="$tmp/root.ext4",if=none,format=raw,id=d0 -device virtio-blk-pci,drive=d0,addr=4 \
	-netdev "$netdev" -device virtio-net-pci,netdev=n0,addr=3 \
	-append "console=ttyS0 panic=1 root=/dev/vda rd.neednet=1 ip=10.0.2.15::10.0.2.2:255.255.255.0::ens3:off rd.shell=0 rd.emergency=poweroff systemd.show_status=0 random.trust_cpu=off random.trust_bootloader=off $insecure" \
	</dev/null >"$log" 2>&1
rc=$?
check "$rc" "boot: the guest booted and powered off by itself ($(($(date +%s) - t0)) s; exit $rc)"
n=$(grep -ac "verified, d20 over $over" "$log")
[ "$n" = 4 ]
check $? "boot: d20 verified all 4 servers of /etc/d20/servers over $scheme ($n)"
for l in 'd20: start' 'kernel before: entropy_avail [0-9]*, crng not ready' \
	'RNDADDENTROPY ok: 256 bits credited' 'random: crng init done' 'd20: done'; do
	grep -aq -e "$l" "$log"
	check $? "boot: console shows \"$l\""
done
start=$(stamp "$log" 'd20: start')
crng=$(stamp "$log" 'crng init done')
end=$(stamp "$log" 'd20: done')
if [ -n "$start" ] && [ -n "$crng" ] && [ -n "$end" ]; then
	echo "# boot: d20 started at ${start} s of uptime; crng ready $(secs_between "$start" "$crng") s later; d20 done after $(secs_between "$start" "$end") s"
fi

# Opt-in: without being asked for, the module stays out.
rm -f "$tmp/conf.d/d20.conf"
run_dracut --no-kernel -m base "$tmp/plain.img" >"$tmp/plain.log" 2>&1
check $? "dracut builds an image without the d20 module"
dracutbasedir=$base bash "$dr/root/usr/bin/lsinitrd" "$tmp/plain.img" 2>/dev/null |
	grep -q 'usr/bin/d20$'
[ $? != 0 ]
check $? "without add_dracutmodules the image holds no d20"

if [ "$failed" != 0 ]; then
	tail -n 30 "$tmp/dracut.log" | sed 's/^/# /'
	grep -a -e 'd20' -e 'dracut' -e 'Failed' "$log" | tr -d '\r' | tail -n 40 | sed 's/^/# /'
fi
exit "$failed"
