#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/cross.sh ARCH BUILD - make sure a static musl cross build for ARCH
# (arm64 armhf i386 ppc64el s390x riscv64) can run: Debian's cross
# compiler, musl for ARCH, and qemu-user-static to run what it builds.
# Installs through apt as root when something is missing. riscv64 is not
# a bookworm architecture: its musl is built from Debian's musl source
# package into BUILD/musl. Prints nothing when all is there.
set -eu

arch=$1
build=$2
case $arch in
arm64) gnu=aarch64-linux-gnu musl=aarch64-linux-musl ;;
armhf) gnu=arm-linux-gnueabihf musl=arm-linux-musleabihf ;;
i386) gnu=i686-linux-gnu musl=i386-linux-musl ;;
ppc64el) gnu=powerpc64le-linux-gnu musl=powerpc64le-linux-musl ;;
s390x) gnu=s390x-linux-gnu musl=s390x-linux-musl ;;
riscv64) gnu=riscv64-linux-gnu musl=riscv64-linux-musl ;;
*) echo "d20: unknown ARCH '$arch' (arm64 armhf i386 ppc64el s390x riscv64)" >&2; exit 2 ;;
esac

installed() {
	case $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) in
	*" installed") return 0 ;;
	esac
	return 1
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "d20: the $arch build needs: $*" >&2
		echo "d20: run as root, or install them: apt-get install $*" >&2
		exit 1
	fi
}

missing=
for p in "gcc-$gnu" qemu-user-static; do
	installed "$p" || missing="$missing $p"
done
if [ "$arch" != riscv64 ]; then
	installed "musl-dev:$arch" || missing="$missing musl-dev:$arch"
fi
if [ -n "$missing" ]; then
	need_root "$missing"
	if [ "$arch" != riscv64 ] &&
	    ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
		dpkg --add-architecture "$arch"
	fi
	echo "d20: installing$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q -o DPkg::Lock::Timeout=300 >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q -o DPkg::Lock::Timeout=300 --no-install-recommends $missing
fi

[ "$arch" = riscv64 ] || exit 0

# riscv64: musl from Debian's source package, built once into BUILD/musl
# with Debian's cross compiler; musl's own gcc wrapper build writes the
# specs file (lib/musl-gcc.specs) that the other architectures get from
# musl-dev.
mkdir -p "$build"
prefix=$(cd "$build" && pwd)/musl
[ -f "$prefix/lib/musl-gcc.specs" ] && exit 0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
if ! (cd "$work" && apt-get source --download-only -q musl) >/dev/null 2>&1; then
	# the same deb-src entry the BearSSL build adds
	sh "$(dirname "$0")/bearssl.sh" "$work/bearssl" >/dev/null
	(cd "$work" && apt-get source --download-only -q musl) >/dev/null
fi
(cd "$work" && dpkg-source --no-check -x musl_*.dsc src) >/dev/null
echo "d20: building musl $(sed -n 's/^Version: //p' "$work"/musl_*.dsc) for riscv64 into $prefix" >&2
(cd "$work/src" &&
	./configure --prefix="$prefix" --target=riscv64-linux-gnu \
		CC="$gnu-gcc" CROSS_COMPILE="$gnu-" --disable-shared \
		--enable-wrapper=gcc --syslibdir="$prefix/lib" >"$work/log" 2>&1 &&
	make -j"$(nproc)" >>"$work/log" 2>&1 && make install >>"$work/log" 2>&1) ||
	{ tail -n 20 "$work/log" >&2; exit 1; }
