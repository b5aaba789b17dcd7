#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/boot_initramfs.sh - the early-boot claim on a real kernel: build an
# initramfs with the project's initramfs-tools hook and script through
# Debian's mkinitramfs for Debian's kernel, boot it under QEMU (TCG, no
# KVM) and read the serial console.
#
# The guest's only network is QEMU user networking with restrict=on: its
# one reachable service is a guestfwd whose cmd: runs the built d20d -i on
# the host, one process per connection, so no packet leaves QEMU.
# Four forwarded ports, 64 bits credited for each answer by default, make
# the 256 bits the crng needs. The servers speak https with pinned keys,
# credited as any authenticated answer; D20_BOOT_TLS=0 makes them plain
# HTTP with the kernel argument d20.credit_insecure (make_servers in
# tests/boot_lib.sh).
#
# With https, /etc/d20/servers also names two servers checked against a
# CA (/etc/d20/ca.pem; the name d20-ca.test from the guest's /etc/hosts):
# one whose certificate is valid now, one whose certificate expired in
# 2003, long before d20 was built.
#
# Boots, each stopped by break=mount and panic=1 with -no-reboot, each
# bounded by timeout(1):
#   seed     servers from /etc/d20/servers (copied by the hook)
#   rtc-2h   the same with the RTC two hours behind (kept in local time)
#   rtc2001  the same with the RTC in 2001 (a dead CMOS battery)
#   dead     d20.servers= with nothing answering: d20 gives up in time
#   hang     ip= names a missing device: the outer bound ends the wait
#   plain    no ip=: the script does nothing (the boot without d20)
#   proxy    d20.proxy=: the server only through an HTTP proxy, CONNECT
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh

vmwait=120
for t in qemu-system-x86_64 mkinitramfs lsinitramfs openssl; do
	command -v "$t" >/dev/null || { notok "$t is installed (tools/deps.sh check)"; exit 1; }
done
find_kernel || { notok "a Debian kernel in /boot with its modules (linux-image-amd64)"; exit 1; }
[ -x "$bin/d20" ] && [ -x "$bin/d20d" ] || { notok "d20 and d20d are built"; exit 1; }
echo "# kernel $kver, QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p'), TCG"

make_servers
mkdir "$tmp/etc"
ports="4431 4432 4433 4434"
for p in $ports; do
	echo "$scheme://10.0.2.100:$p/$linepin"
done >"$tmp/etc/servers"
ca=
if [ "$scheme" = https ]; then
	make_ca_certs d20-ca.test
	check $? "openssl made a CA and certificates valid now and in 2000-2003"
	cp "$tmp/ca.pem" "$tmp/etc/ca.pem"
	printf 'https://d20-ca.test:4435/\nhttps://d20-ca.test:4436/\n' >>"$tmp/etc/servers"
	ca=1
fi

# The initramfs: Debian's mkinitramfs, its own hooks and scripts plus the
# project's, a configuration folder of our own (-d) so nothing under /etc
# is read or changed, and only the modules this virtual machine needs.
conf=$tmp/conf
mkdir -p "$conf/hooks" "$conf/scripts/init-premount"
cp initramfs/initramfs-tools/hooks/d20 "$conf/hooks/d20"
cp initramfs/initramfs-tools/scripts/init-premount/d20 "$conf/scripts/init-premount/d20"
chmod 755 "$conf/hooks/d20" "$conf/scripts/init-premount/d20"
printf 'MODULES=list\nBUSYBOX=y\nCOMPRESS=gzip\n' >"$conf/initramfs.conf"
printf 'virtio_pci\nvirtio_net\n' >"$conf/modules"
# The test's own hook: the CA servers' name in the guest's /etc/hosts.
printf '%s\n' '#!/bin/sh' '[ "$1" = prereqs ] && exit 0' 'mkdir -p "$DESTDIR/etc"' \
	"echo '10.0.2.100 d20-ca.test' >>\"\$DESTDIR/etc/hosts\"" >"$conf/hooks/d20-test-hosts"
chmod 755 "$conf/hooks/d20-test-hosts"
img=$tmp/initrd.img
D20=$bin/d20 D20_ETC=$tmp/etc mkinitramfs -d "$conf" -o "$img" "$kver" >"$tmp/mkinitramfs.log" 2>&1
check $? "mkinitramfs builds an image with the d20 hook for $kver"
lsinitramfs "$img" >"$tmp/files" 2>/dev/null
for f in usr/bin/d20 etc/d20/servers scripts/init-premount/d20 ${ca:+etc/d20/ca.pem etc/hosts}; do
	grep -qx "$f" "$tmp/files"
	check $? "the initramfs holds $f"
done
[ "$failed" = 0 ] || { sed 's/^/# /' "$tmp/mkinitramfs.log"; exit 1; }

# shellcheck disable=SC2086
make_netdev $ports
if [ -n "$ca" ]; then
	add_fwd 4435 --tls --cert "$tmp/now.pem" --key "$tmp/now.key"
	add_fwd 4436 --tls --cert "$tmp/old.pem" --key "$tmp/old.key"
fi
# An HTTP proxy on 10.0.2.100:3128 (tests/stdio_proxy.py) whose one
# tunnel leads to a d20d -i: the guest reaches 10.0.2.200 only through it.
netdev="$netdev,guestfwd=tcp:10.0.2.100:3128-cmd:python3 $PWD/tests/stdio_proxy.py 10.0.2.200:4431 $tmp/connects.log $bin/d20d -i $d20d_tls -u nobody -r $tmp/empty"

# boot NAME KERNEL-ARGS...: boot the image, console in $tmp/NAME.log;
# sets rc (0: the guest powered off by itself) and secs (wall clock).
# $rtc, when set, is QEMU's -rtc option (the guest's clock at boot).
rtc=
boot()
{
	name=$1
	shift
	t0=$(date +%s)
	# shellcheck disable=SC2086
	timeout -k 5 "$vmwait" qemu-system-x86_64 -accel tcg -m 512 -nographic \
		-no-reboot -kernel "$vmlinuz" -initrd "$img" $rtc \
		-netdev "$netdev" -device virtio-net-pci,netdev=n0 \
		-append "console=ttyS0 panic=1 break=mount random.trust_cpu=off random.trust_bootloader=off $*" \
		</dev/null >"$tmp/$name.log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	check "$rc" "$name: the guest booted and went on by itself (${secs} s; exit $rc)"
	grep -aq 'Rebooting automatically due to panic' "$tmp/$name.log"
	check $? "$name: the boot reached the end of the initramfs"
}

static=ip=10.0.2.15::10.0.2.2:255.255.255.0:::off

# 1. Servers from /etc/d20/servers, verified over TLS with their pins.
# shellcheck disable=SC2086
boot seed "$static" $insecure
has seed 'd20: start'
n=$(grep -ac "verified, d20 over $over" "$tmp/seed.log")
[ "$n" = 4 ]
check $? "seed: all 4 servers of /etc/d20/servers verified over $scheme ($n)"
has seed 'RNDADDENTROPY ok: 256 bits credited'
has seed 'random: crng init done'
has seed 'kernel after: entropy_avail [0-9]*, crng ready'
# What the kernel took, in its own log: the pinned answers' credit made the
# crng ready; any answer after that was mixed and a reseed forced.
has seed 'd20: kernel: credited 256 bits'
if [ -n "$ca" ]; then
	has seed 'd20-ca.test:4435/: verified, d20 over https+ca'
	has seed 'd20-ca.test:4436/: failed: TLS: certificate expired'
	has seed 'd20: kernel: credited 256 bits, then mixed 1 answer and forced a reseed'
fi
# What d20's own randomness (jitter, the CPU's generator) costs, under
# TCG, where every instruction is slow: budget 50 ms.
line=$(grep -a -m1 'd20: local randomness in' "$tmp/seed.log" | tr -d '\r')
echo "# seed: ${line#*d20: }"
ms=$(echo "$line" | sed -n 's/.*local randomness in \([0-9.]*\) ms.*/\1/p')
awk -v t="${ms:-999}" 'BEGIN { exit !(t < 50) }'
check $? "seed: d20's local randomness took ${ms:-?} ms (budget 50 ms)"
start=$(stamp "$tmp/seed.log" 'd20: start')
crng=$(stamp "$tmp/seed.log" 'crng init done')
done_=$(stamp "$tmp/seed.log" 'd20: done')
if [ -n "$start" ] && [ -n "$crng" ] && [ -n "$done_" ]; then
	echo "# seed: d20 started at ${start} s of uptime; crng ready $(secs_between "$start" "$crng") s later; d20 done after $(secs_between "$start" "$done_") s"
fi
# The claim itself: d20 found the crng not ready, and its answers made it
# ready (d20 must not make it ready some other way, such as reading
# /dev/urandom, which from Linux 5.18 on runs the jitter entropy until the
# crng is ready).
has seed 'kernel before: entropy_avail [0-9]*, crng not ready'

# 1b. The same with the guest's clock wrong: the challenge proves each
# answer fresh, pins need no clock, and certificate dates are checked no
# earlier than d20's build. Two hours behind: an RTC kept in local time.
for r in "rtc-2h $(date -u -d '-2 hours' +%Y-%m-%dT%H:%M:%S)" "rtc2001 2001-01-01"; do
	name=${r% *}
	rtc="-rtc base=${r#* }"
	# shellcheck disable=SC2086
	boot "$name" "$static" $insecure
	rtc=
	n=$(grep -ac "verified, d20 over $over" "$tmp/$name.log")
	[ "$n" = 4 ]
	check $? "$name: all 4 pinned servers verified over $scheme ($n)"
	has "$name" 'kernel before: entropy_avail [0-9]*, crng not ready'
	has "$name" 'd20: kernel: credited 256 bits'
	has "$name" 'random: crng init done'
	has "$name" "its clock is [0-9]* s ahead of ours (over --max-skew"
	if [ -n "$ca" ]; then
		has "$name" 'd20-ca.test:4435/: verified, d20 over https+ca'
		has "$name" 'd20-ca.test:4436/: failed: TLS: certificate expired'
	fi
done
has rtc2001 'the local clock is before this build'
echo "# rtc-2h: $(grep -a -m1 'its clock is' "$tmp/rtc-2h.log" | tr -d '\r' | sed 's/.*d20: //')"

# 2. Nothing answers (no forward on 4439; 10.0.2.99 is nobody): d20 ends
# within its own deadline and the boot goes on.
boot dead "$static" d20.timeout=3 d20.servers=https://10.0.2.100:4439/,http://10.0.2.99/
dead_checks dead

# 3. The network never comes up (ip= names a device that does not exist;
# configure_networking would wait 180 s): the outer bound ends it.
boot hang ip=10.0.2.15::10.0.2.2:255.255.255.0::eth9:off d20.netwait=2 d20.timeout=2 \
	d20.servers=$scheme://10.0.2.100:4431/
has hang 'd20: gave up after 5 s, boot goes on'
start=$(stamp "$tmp/hang.log" 'd20: start')
end=$(stamp "$tmp/hang.log" 'd20: gave up')
took=$(secs_between "${start:-0}" "${end:-999}")
awk -v t="$took" 'BEGIN { exit !(t <= 5 + 2) }'
check $? "hang: the boot went on after the 5 s bound (${took} s)"

# 4. No ip=: nothing to do, at once; this is also the boot without d20.
boot plain
has plain 'd20: no ip= on the kernel command line, not seeding'
if grep -aq 'crng init done' "$tmp/plain.log"; then
	echo "# plain: crng ready at $(stamp "$tmp/plain.log" 'crng init done') s of uptime without d20"
else
	echo "# plain: without d20 the crng was not ready when the initramfs ended ($(stamp "$tmp/plain.log" 'not seeding') s of uptime)"
fi

# 5. d20.proxy=: the server's address is unreachable from the guest but
# through the proxy; TLS and the pin are end to end.
pinarg=
[ "$scheme" = https ] && pinarg=d20.pin=${linepin# }
# shellcheck disable=SC2086
boot proxy "$static" $insecure $pinarg d20.proxy=http://10.0.2.100:3128 \
	d20.servers=$scheme://10.0.2.200:4431/
has proxy "verified, d20 over ${over%,} through the proxy 10.0.2.100:3128"
grep -qx "CONNECT 10.0.2.200:4431 HTTP/1.1" "$tmp/connects.log" 2>/dev/null
check $? "proxy: the proxy was asked to CONNECT to 10.0.2.200:4431"

if [ "$failed" != 0 ]; then
	for f in "$tmp"/*.log; do
		echo "# --- $f"
		tail -n 40 "$f" | tr -d '\r' | sed 's/^/# /'
	done
fi
exit "$failed"
