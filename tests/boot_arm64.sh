#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/boot_arm64.sh - make check-arch: the early-boot claim on a foreign
# CPU. Debian's arm64 kernel (apt-get download, cached in D20_CACHE) boots
# under qemu-system-aarch64 (TCG, -M virt without the DTB's rng-seed, a
# Cortex-A57, which has no RNDR, and random.trust_cpu=off
# random.trust_bootloader=off: nothing seeds the crng but d20). Its
# initramfs holds the arm64 d20, the project's initramfs-tools script, and
# Debian's arm64 busybox. mkinitramfs builds only for the host's CPU, so a
# small /init and a /scripts/functions stand in for initramfs-tools' own
# (mount, load the virtio modules, bring eth0 up from ip=); the script
# and d20 run as they do on amd64, the sandbox's seccomp filters included.
# The guest reaches only guestfwds (restrict=on) that run the host's d20d
# -i with TLS, whose keys d20 has pinned.
#   seed  four pinned https servers: 256 bits credited, crng init done
#   dead  nothing answers: d20 gives up within its deadline, the crng is
#         still not ready when the initramfs ends
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh

BUILD=${BUILD:-build}
a64=$BUILD/arm64/tls1/d20
cache=${D20_CACHE:-$BUILD/cache}/arm64
vmwait=180
for t in qemu-system-aarch64 openssl cpio apt-get; do
	command -v "$t" >/dev/null || { notok "$t is installed (tools/deps.sh check)"; exit 1; }
done
[ -x "$a64" ] || { notok "the arm64 d20 is built ($a64: make ARCH=arm64)"; exit 1; }
[ -x "$bin/d20d" ] || { notok "d20d is built"; exit 1; }

# Debian's arm64 kernel and static busybox, fetched once.
kpkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n 1)
[ -n "$kpkg" ]
check $? "apt knows Debian's arm64 kernel package (${kpkg:-none}; dpkg --add-architecture arm64)"
kdir=$cache/$kpkg
if [ -n "$kpkg" ] && ! [ -f "$kdir/done" ]; then
	rm -rf "$kdir"
	mkdir -p "$kdir/deb"
	(cd "$kdir/deb" && apt-get download -q "$kpkg:arm64" busybox-static:arm64) \
		>"$tmp/download.log" 2>&1 &&
	dpkg-deb -x "$kdir"/deb/linux-image-*.deb "$kdir/root" &&
	dpkg-deb -x "$kdir"/deb/busybox-static_*.deb "$kdir/root" &&
	rm -rf "$kdir/deb" && : >"$kdir/done"
	check $? "apt-get download $kpkg busybox-static (arm64), unpacked in $kdir"
fi
[ "$failed" = 0 ] || { sed 's/^/# /' "$tmp/download.log" 2>/dev/null; exit 1; }
kver=${kpkg#linux-image-}
vmlinuz=$kdir/root/boot/vmlinuz-$kver
mods=$kdir/root/lib/modules/$kver/kernel
echo "# kernel $kver (arm64), QEMU $(qemu-system-aarch64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p'), TCG"

make_servers
[ "$scheme" = https ]
check $? "the servers speak https with pinned keys (d20 built with TLS)"

# The initramfs, as a list of files for cpio.
root=$tmp/root
mkdir -p "$root/bin" "$root/usr/bin" "$root/etc/d20" "$root/scripts/init-premount" \
	"$root/lib/modules" "$root/proc" "$root/sys" "$root/dev" "$root/run" "$root/tmp"
cp "$kdir/root/bin/busybox" "$root/bin/busybox"
cp "$a64" "$root/usr/bin/d20"
cp initramfs/initramfs-tools/scripts/init-premount/d20 "$root/scripts/init-premount/d20"
ports="4431 4432 4433 4434"
for p in $ports; do
	echo "https://10.0.2.100:$p/$linepin"
done >"$root/etc/d20/servers"
# virtio-net on the virt machine's PCI bus, in load order
modlist="drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev
	drivers/virtio/virtio_pci net/core/failover drivers/net/net_failover
	drivers/net/virtio_net"
for m in $modlist; do
	cp "$mods/$m.ko" "$root/lib/modules/" || notok "module $m.ko in $kpkg"
done
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci failover net_failover virtio_net; do
	insmod /lib/modules/$m.ko
done
# what initramfs-tools' /init exports from ip=
for x in $(cat /proc/cmdline); do
	case $x in ip=*) IP=${x#ip=} ;; esac
done
export IP
echo "<5>d20-arm64: init-premount" >/dev/kmsg
sh /scripts/init-premount/d20
echo "<5>d20-arm64: end of the initramfs" >/dev/kmsg
poweroff -f
INIT
# configure_networking for ip=CLIENT::GATEWAY:NETMASK:... on eth0
cat >"$root/scripts/functions" <<'FUNCS'
configure_networking()
{
	_ifs=$IFS
	IFS=:
	set -- $IP
	IFS=$_ifs
	ip link set eth0 up || return 1
	ip addr add "$1/$4" dev eth0 || return 1
	[ -n "$3" ] && ip route add default via "$3"
	return 0
}
FUNCS
chmod 755 "$root/init" "$root/bin/busybox" "$root/usr/bin/d20" "$root/scripts/init-premount/d20"
img=$tmp/initrd.img
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$img"
check $? "an arm64 initramfs with d20, the project's script and busybox ($(wc -c <"$img") bytes)"

make_netdev $ports

boot()
{
	name=$1
	shift
	t0=$(date +%s)
	timeout -k 5 "$vmwait" qemu-system-aarch64 -M virt,dtb-randomness=off -cpu cortex-a57 \
		-accel tcg -m 512 -nographic -no-reboot -kernel "$vmlinuz" -initrd "$img" \
		-netdev "$netdev" -device virtio-net-pci,netdev=n0 \
		-append "console=ttyAMA0 panic=1 random.trust_cpu=off random.trust_bootloader=off $*" \
		</dev/null >"$tmp/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	check "$rc" "$name: the arm64 guest booted and powered off by itself (${secs} s; exit $rc)"
	has "$name" 'd20-arm64: end of the initramfs'
}

static=ip=10.0.2.15::10.0.2.2:255.255.255.0:::off

boot seed "$static"
has seed 'd20: start'
has seed 'kernel before: entropy_avail [0-9]*, crng not ready'
n=$(grep -ac "verified, d20 over https+pin" "$tmp/seed.log")
[ "$n" = 4 ]
check $? "seed: all 4 servers verified over https with pinned keys ($n)"
has seed 'd20: kernel: credited 256 bits'
has seed 'random: crng init done'
has seed 'kernel after: entropy_avail [0-9]*, crng ready'
grep -aq 'SIGSYS\|killed by signal' "$tmp/seed.log"
[ $? != 0 ]
check $? "seed: no d20 child died in its sandbox (seccomp on a real arm64 kernel)"
start=$(stamp "$tmp/seed.log" 'd20: start')
crng=$(stamp "$tmp/seed.log" 'crng init done')
done_=$(stamp "$tmp/seed.log" 'd20: done')
boot_=$(stamp "$tmp/seed.log" 'd20-arm64: init-premount')
if [ -n "$start" ] && [ -n "$crng" ] && [ -n "$done_" ]; then
	echo "# seed: initramfs at ${boot_} s of uptime; d20 started at ${start} s; crng ready $(secs_between "$start" "$crng") s later; d20 done after $(secs_between "$start" "$done_") s; whole boot ${secs} s"
fi

boot dead "$static" d20.timeout=3 d20.servers=https://10.0.2.100:4439/,http://10.0.2.99/
dead_checks dead

if [ "$failed" != 0 ]; then
	for f in "$tmp"/*.log; do
		echo "# --- $f"
		tail -n 40 "$f" | tr -d '\r' | sed 's/^/# /'
	done
fi
exit "$failed"
