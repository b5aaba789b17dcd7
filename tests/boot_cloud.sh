#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/boot_cloud.sh - a real cloud-image first boot: Debian bookworm with
# systemd, cloud-init (NoCloud seed) and sshd, booted under QEMU (TCG, no
# KVM, random.trust_cpu=off random.trust_bootloader=off), with d20 and its
# systemd unit installed the way make install writes them.
#
# The image: debootstrap --variant=minbase from the mirror apt uses here,
# Debian's kernel and an initrd made in the chroot, prepared the way cloud
# images are (no ssh host keys, empty /etc/machine-id), persistent journal.
# That base is built once and cached as a tarball under $D20_CACHE
# (default $BUILD/cloud), keyed by a hash of the recipe below and the
# mirror; each run unpacks it, adds the freshly built d20, its units and
# /etc/d20/servers, and makes the root file system with mkfs.ext4 -d (no
# loop mount). A second small disk (vfat, label cidata) is the NoCloud seed.
#
# The guest's only network is QEMU user networking with restrict=on: its
# services are guestfwds to the built d20d -i --tls on the host (pinned
# keys), and one hostfwd from 127.0.0.1 to its sshd. The test reads sshd's
# banner, then powers the guest off through ACPI (QEMU's monitor), and
# reads the guest's journal back from the disk with debugfs.
#
# Boots, each bounded by timeout(1):
#   seed  four https servers with pins: d20 verifies them and the kernel
#         takes the bytes before cloud-init makes the ssh host keys and
#         before sshd starts; sshd then answers
#   dead  nothing answers: d20 gives up within its bound, the boot reaches
#         multi-user.target, sshd answers
# D20_CLOUD_BOOTS="seed" runs only the boots named.
# D20_CLOUD_UNIT=FILE installs FILE as d20.service instead of dist/'s (to
# measure another ordering; the checks then say what it does wrong).
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh

vmwait=${D20_CLOUD_WAIT:-480}
cache=${D20_CACHE:-${BUILD:-build}/cloud}
if [ "$(id -u)" != 0 ]; then
	ok "a cloud-image first boot # SKIP needs root (debootstrap, chroot, file owners in mkfs.ext4 -d)"
	exit 0
fi
for t in qemu-system-x86_64 debootstrap mkfs.ext4 debugfs mkfs.vfat mcopy journalctl \
	systemctl openssl python3; do
	command -v "$t" >/dev/null || { notok "$t is installed (tools/deps.sh check)"; exit 1; }
done
[ -x "$bin/d20" ] && [ -x "$bin/d20d" ] || { notok "d20 and d20d are built"; exit 1; }

# The mirror apt already uses for bookworm main (D20_MIRROR overrides).
mirror=${D20_MIRROR:-$(apt-get indextargets --format '$(SITE) $(RELEASE) $(COMPONENT)' \
	'Created-By: Packages' 2>/dev/null | awk '$2 == "bookworm" && $3 == "main" { print $1; exit }')}
mirror=${mirror:-http://deb.debian.org/debian}

# ---- base image: this text, up to the end marker, is the cache key ----
# Like Debian's cloud images: ifupdown with DHCP (cloud-init writes the
# configuration), dbus for logind (which powers off on ACPI's button).
# debootstrap does not resolve virtual packages: python3-cffi-backend
# provides what python3-cryptography (for cloud-init) needs.
pkgs=systemd-sysv,udev,kmod,dbus,openssh-server,cloud-init,python3-cffi-backend,ifupdown,isc-dhcp-client,netbase,initramfs-tools

# build_base DIR: the chroot in DIR/root, its kernel and initrd in DIR.
build_base()
{
	r=$1/root
	mkdir -p "$cache/debs"
	debootstrap --variant=minbase --include="$pkgs" --cache-dir="$(realpath "$cache/debs")" \
		bookworm "$r" "$mirror" \
		>"$1/debootstrap.log" 2>&1 || { tail -n 20 "$1/debootstrap.log"; return 1; }
	# Debian's kernel, with an initrd holding only what this machine
	# needs to mount its root (made in the chroot, small: quick under TCG).
	printf 'MODULES=list\nCOMPRESS=gzip\n' >"$r/etc/initramfs-tools/conf.d/d20-test"
	printf 'virtio_pci\nvirtio_blk\next4\n' >>"$r/etc/initramfs-tools/modules"
	chroot "$r" apt-get update -q >"$1/kernel.log" 2>&1 &&
		DEBIAN_FRONTEND=noninteractive chroot "$r" apt-get install -y -q --no-install-recommends \
			linux-image-amd64 >>"$1/kernel.log" 2>&1 || { tail -n 20 "$1/kernel.log"; return 1; }
	cp "$r"/boot/vmlinuz-* "$1/vmlinuz" && cp "$r"/boot/initrd.img-* "$1/initrd.img" || return 1
	ls "$r/lib/modules" >"$1/kver"
	echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$r/etc/fstab"
	echo localhost >"$r/etc/hostname"
	# What makes it a cloud image: no host keys, no machine id (so the
	# next boot is the first), a NoCloud seed looked for first.
	rm -f "$r"/etc/ssh/ssh_host_*
	: >"$r/etc/machine-id"
	[ -L "$r/var/lib/dbus/machine-id" ] || : >"$r/var/lib/dbus/machine-id"
	printf 'datasource_list: [NoCloud, None]\n' >"$r/etc/cloud/cloud.cfg.d/90-d20-test.cfg"
	# Persistent journal: read back from the disk after poweroff.
	mkdir -p "$r/var/log/journal"
	rm -rf "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/*
	tar -C "$r" --numeric-owner --xattrs -cf "$1/root.tar" . || return 1
	rm -rf "$r"
}
# ---- end base image ----

key=$( (sed -n '/^# ---- base image/,/^# ---- end base image/p' "$0"; echo "$mirror") |
	sha256sum | cut -c1-16)
base=$cache/base-$key
if ! [ -f "$base/root.tar" ]; then
	echo "# building the base image in $base from $mirror (once; several minutes)"
	mkdir -p "$cache" && rm -rf "$base.tmp" && mkdir "$base.tmp" || exit 1
	t0=$(date +%s)
	if build_base "$base.tmp"; then
		mv "$base.tmp" "$base"
		ok "base image built and cached ($(($(date +%s) - t0)) s, key $key)"
	else
		notok "base image built (logs in $base.tmp)"
		exit 1
	fi
else
	echo "# base image from the cache: $base"
fi
vmlinuz=$base/vmlinuz
echo "# kernel $(cat "$base/kver"), QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p'), TCG"

make_servers
ports="4431 4432 4433 4434"

# The per-run layer: the base, d20 installed by make install (units with
# their paths filled in) and enabled, /etc/d20/servers, then the ext4
# image. DIR holds root/ and gets root.img.
make_root()
{
	r=$1/root
	mkdir "$r" && tar -C "$r" --numeric-owner --xattrs -xf "$base/root.tar" || return 1
	${MAKE:-make} --no-print-directory -s install DESTDIR="$r" PREFIX=/usr \
		>"$1/install.log" 2>&1 || return 1
	cp "$bin/d20" "$r/usr/bin/d20"
	[ -z "${D20_CLOUD_UNIT:-}" ] ||
		sed 's|@BINDIR@|/usr/bin|g' "$D20_CLOUD_UNIT" >"$r/usr/lib/systemd/system/d20.service"
	systemctl --root="$r" enable d20.service >>"$1/install.log" 2>&1 || return 1
	mkdir -p "$r/etc/d20"
	for p in $ports; do
		echo "$scheme://10.0.2.100:$p/$linepin"
	done >"$r/etc/d20/servers"
	mkfs.ext4 -q -F -L root -d "$r" "$1/root.img" 2G >>"$1/install.log" 2>&1 || return 1
	rm -rf "$r"
}

# The NoCloud seed: meta-data and user-data on a vfat disk labelled cidata.
seed=$tmp/seed.img
printf 'instance-id: d20-test-%s\nlocal-hostname: d20-cloud\n' "$$" >"$tmp/meta-data"
printf '#cloud-config\nssh_pwauth: false\n' >"$tmp/user-data"
mkfs.vfat -n cidata -C "$seed" 1024 >/dev/null 2>&1 &&
	mcopy -i "$seed" "$tmp/meta-data" "$tmp/user-data" ::
check $? "NoCloud seed disk (vfat, label cidata)"

# monitor CMD: one command to the guest's QEMU monitor.
monitor()
{
	python3 - "$tmp/mon" "$1" <<'EOF' >/dev/null 2>&1
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.settimeout(5)
s.connect(sys.argv[1])
time.sleep(0.2)
s.sendall(sys.argv[2].encode() + b"\n")
time.sleep(0.5)
EOF
}

# banner PORT SECONDS: wait up to SECONDS for sshd's banner on 127.0.0.1:PORT
# (QEMU accepts at once and closes when nothing listens in the guest).
banner()
{
	python3 - "$1" "$2" <<'EOF'
import socket, sys, time
end = time.time() + float(sys.argv[2])
while time.time() < end:
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3)
        s.settimeout(5)
        b = s.recv(64)
        s.close()
        if b.startswith(b"SSH-2.0-"):
            print(b.decode(errors="replace").strip())
            sys.exit(0)
    except OSError:
        pass
    time.sleep(2)
sys.exit(1)
EOF
}

# boot NAME PORTS...: build the root disk, boot it with guestfwds for
# PORTS, read the banner, power off; the journal (short-monotonic) in
# $tmp/NAME.journal, the console in $tmp/NAME.log.
boot()
{
	name=$1
	shift
	d=$tmp/$name
	mkdir "$d"
	t0=$(date +%s)
	make_root "$d"
	check $? "$name: root file system made with mkfs.ext4 -d ($(($(date +%s) - t0)) s)"
	make_netdev "$@"
	sshport=$((20000 + ($$ + ${#name}) % 20000))
	t0=$(date +%s)
	timeout -k 5 "$vmwait" qemu-system-x86_64 -accel tcg -m 1024 -display none \
		-no-reboot -kernel "$vmlinuz" -initrd "$base/initrd.img" \
		-drive file="$d/root.img",if=virtio,format=raw \
		-drive file="$seed",if=virtio,format=raw,readonly=on \
		-netdev "$netdev,hostfwd=tcp:127.0.0.1:$sshport-:22" -device virtio-net-pci,netdev=n0 \
		-serial file:"$tmp/$name.log" -monitor unix:"$tmp/mon",server=on,wait=off \
		-append "root=/dev/vda rw console=ttyS0 random.trust_cpu=off random.trust_bootloader=off" \
		</dev/null >"$tmp/$name.qemu" 2>&1 &
	qpid=$!
	cleanup_more="kill $qpid 2>/dev/null"
	b=$(banner "$sshport" "$((vmwait - 30))")
	check $? "$name: sshd answers through the hostfwd (${b:-no banner}; $(($(date +%s) - t0)) s)"
	# Then let the boot finish (cloud-final says cloud-init finished,
	# after multi-user.target) before the power button: stopping
	# cloud-init's later stages halfway makes the shutdown minutes long.
	i=0
	while [ "$i" -lt 150 ] && ! grep -aq 'Cloud-init v\. .* finished at' "$tmp/$name.log"; do
		sleep 1
		i=$((i + 1))
	done
	monitor system_powerdown
	wait "$qpid"
	rc=$?
	cleanup_more=:
	check "$rc" "$name: the guest powered off (ACPI) within the bound ($(($(date +%s) - t0)) s; exit $rc)"
	rm -rf "$d/journal"
	debugfs -R "rdump /var/log/journal $d" "$d/root.img" >/dev/null 2>&1
	journalctl --file "$d/journal/*/*.journal" -o short-monotonic --no-pager \
		>"$tmp/$name.journal" 2>/dev/null
	journalctl --file "$d/journal/*/*.journal" -o short-unix --no-pager \
		>"$tmp/$name.unix" 2>/dev/null
	[ -s "$tmp/$name.journal" ]
	check $? "$name: the guest's journal read back from its disk ($(wc -l <"$tmp/$name.journal") lines)"
}

# at NAME PATTERN: uptime (s) of the first journal line matching PATTERN.
at()
{
	stamp "$tmp/$1.journal" "$2"
}

# before A B: A and B are set and A < B.
before()
{
	[ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

# wants NAME: NAME is among the boots to run (D20_CLOUD_BOOTS, default all).
wants()
{
	case " ${D20_CLOUD_BOOTS:-seed dead} " in *" $1 "*) return 0 ;; esac
	return 1
}

# 1. Four https servers with pins.
if wants seed; then
# shellcheck disable=SC2086
boot seed $ports
j=$tmp/seed.journal
n=$(grep -c "d20\[[0-9]*\]: .*verified, d20 over https+pin" "$j")
[ "$n" = 4 ]
check $? "seed: d20 verified all 4 servers over https with pinned keys ($n)"
# Credited while the crng was not ready, or mixed and reseeded when it
# already was: either way the kernel took the bytes now.
took=$(at seed 'd20\[[0-9]*\]: .*\(entropy credited to the kernel\|reseed\)')
[ -n "$took" ]
check $? "seed: the kernel took d20's bytes ($(grep -m1 -o 'd20\[[0-9]*\]: .*\(credited to the kernel\|reseed\).*' "$j"))"
grep -m2 'd20\[[0-9]*\]: kernel \(before\|after\)' "$j" | sed 's/^/# /'
keys=$(at seed 'Generating public/private')
sshd=$(at seed 'sshd\[[0-9]*\]: Server listening')
crng=$(at seed 'random: crng init done')
online=$(at seed 'Reached target .*Network is Online')
before "$took" "$keys"
check $? "seed: d20 seeded (${took:-never} s) before cloud-init logged generating the host keys (${keys:-never} s)"
before "$took" "$sshd"
check $? "seed: d20 seeded before sshd started (${sshd:-never} s)"
# The keys' own creation times on the disk against d20's message in
# wall-clock time: the same guest clock, and independent of the journal,
# which gets cloud-init's output late, in one piece.
d20real=$(grep -m1 'd20\[[0-9]*\]: .*\(entropy credited to the kernel\|reseed\)' "$tmp/seed.unix" |
	cut -d' ' -f1)
first=
for k in rsa ecdsa ed25519; do
	c=$(debugfs -R "stat /etc/ssh/ssh_host_${k}_key" "$tmp/seed/root.img" 2>/dev/null |
		sed -n 's/^ *crtime: *0x\([0-9a-f]*\):\([0-9a-f]*\).*/\1 \2/p')
	[ -n "$c" ] || continue
	# crtime: seconds, then nanoseconds shifted left by two (ext4).
	# shellcheck disable=SC2086
	set -- $c
	c=$(printf '%d.%09d' "$((0x$1))" "$((0x$2 >> 2))")
	[ -z "$first" ] || before "$c" "$first" && first=$c
done
before "$d20real" "$first"
check $? "seed: every ssh host key file was created after d20 seeded (wall clock: d20 ${d20real:-?}, first key ${first:-none})"
# The first key file's creation in seconds of uptime, through d20's line
# (the same message in wall-clock and monotonic time).
keyup=$(awk -v f="${first:-0}" -v r="${d20real:-0}" -v m="${took:-0}" 'BEGIN { printf "%.3f", f - r + m }')
echo "# seed timeline (uptime, s): crng ready ${crng:-never}; d20 seeded ${took:-never}; first host key file ${keyup}; sshd listening ${sshd:-never}; network-online.target ${online:-never}"
fi

# 2. Nothing answers (no guestfwd: 10.0.2.100 is nobody).
if wants dead; then
boot dead
j=$tmp/dead.journal
grep -q 'd20\[[0-9]*\]: .*0 of 4 servers verified' "$j"
check $? "dead: d20 reports 0 of 4 servers verified"
s=$(at dead 'Starting.*d20.service\|Starting Seed the kernel')
e=$(at dead 'd20.service: Main process exited\|Failed to start.*Seed the kernel\|Finished.*Seed the kernel')
took=$(secs_between "${s:-0}" "${e:-999}")
awk -v t="$took" 'BEGIN { exit !(t <= 10 + 5) }'
check $? "dead: d20.service ended within its 10 s bound (${took} s)"
grep -q 'Reached target .*Multi-User System' "$j"
check $? "dead: the boot reached multi-user.target ($(at dead 'Reached target .*Multi-User System') s)"
fi

if [ "$failed" != 0 ]; then
	for f in "$tmp"/*.log "$tmp"/*.journal; do
		[ -f "$f" ] || continue
		echo "# --- $f"
		grep -a -e 'd20[[.]' -e 'Reached target' -e crng -e 'Generating public' -e 'sshd\[' "$f" |
			head -n 60 | tr -d '\r' | sed 's/^/# /'
	done
fi
exit "$failed"
