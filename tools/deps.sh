#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/deps.sh build|check|bench|deb|full - install the Debian packages a stage
# needs when they are missing (as root), or say exactly what to install.
set -eu

build_pkgs="make gcc libc6-dev musl-tools dpkg-dev xz-utils"
check_pkgs="$build_pkgs python3-cryptography-vectors openssl clang libclang-rt-14-dev strace valgrind python3 pollen iproute2 pollinate curl systemd qemu-system-x86 linux-image-amd64 initramfs-tools busybox cpio"
# one package a line from here: parallel branches add to the list
check_pkgs="$check_pkgs testssl.sh"
check_pkgs="$check_pkgs tinyproxy-bin"
# openbsd-inetd, podman: the real hosts of tests/deploy_*.sh (xinetd, which
# conflicts with every other inetd, is unpacked by its test, not installed).
check_pkgs="$check_pkgs openbsd-inetd podman runc"
# tests/boot_cloud.sh: a Debian image made by debootstrap, its NoCloud seed
# disk (vfat), its journal read back with debugfs.
check_pkgs="$check_pkgs debootstrap dosfstools mtools e2fsprogs"
# make check-arch: tests/boot_arm64.sh (tools/cross.sh installs the rest)
check_pkgs="$check_pkgs qemu-system-arm"
# tests/balancer.sh: dist/haproxy.cfg run by the real HAProxy (its service
# refused by the policy-rc.d below; the test starts its own).
check_pkgs="$check_pkgs haproxy"
# make bench and make profile (perf: bench/profile.sh)
bench_pkgs="$check_pkgs hyperfine pollinate wrk time nginx-light gnuplot-nox linux-perf"
# make deb; make check-full adds lintian, a debootstrap chroot, faketime
# (a second build a day later) and diffoscope (what differs, if anything).
deb_pkgs="$build_pkgs debhelper"
full_pkgs="$check_pkgs debhelper lintian debootstrap faketime diffoscope-minimal"

case "${1:-build}" in
build) want=$build_pkgs ;;
check) want=$check_pkgs ;;
bench) want=$bench_pkgs ;;
deb) want=$deb_pkgs ;;
full) want=$full_pkgs ;;
*) echo "usage: tools/deps.sh build|check|bench|deb|full" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	case $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "d20: missing Debian packages:$missing" >&2
	echo "d20: install them as root: apt-get install$missing" >&2
	exit 1
fi
echo "d20: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null || apt-get update -o DPkg::Lock::Timeout=300
# Packages with a service (nginx-light for the benchmark) must not start
# it, nor fail the install when it cannot start: a policy-rc.d that
# refuses every start, only for this install, unless one is there.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# shellcheck disable=SC2086
apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends $missing
