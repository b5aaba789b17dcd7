#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/deps.sh build|check|bench - install the Debian packages a stage
# needs when they are missing (as root), or say exactly what to install.
set -eu

build_pkgs="make gcc libc6-dev musl-tools dpkg-dev xz-utils"
check_pkgs="$build_pkgs python3-cryptography-vectors openssl clang libclang-rt-14-dev strace valgrind python3 pollen iproute2 pollinate curl systemd qemu-system-x86 linux-image-amd64 initramfs-tools busybox cpio"
# tests/boot_cloud.sh: a Debian image made by debootstrap, its NoCloud seed
# disk (vfat), its journal read back with debugfs.
check_pkgs="$check_pkgs debootstrap dosfstools mtools e2fsprogs"
bench_pkgs="$check_pkgs hyperfine pollinate wrk time nginx-light gnuplot-nox"

case "${1:-build}" in
build) want=$build_pkgs ;;
check) want=$check_pkgs ;;
bench) want=$bench_pkgs ;;
*) echo "usage: tools/deps.sh build|check|bench" >&2; exit 2 ;;
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
apt-get update -q >/dev/null || apt-get update
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
apt-get install -y -q --no-install-recommends $missing
