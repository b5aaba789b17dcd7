# SPDX-License-Identifier: MIT
# d20 build configuration: edit here or override on the command line
# (make TLS=0, make PREFIX=/usr).

VERSION = 0.1.0

PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
SBINDIR = $(PREFIX)/sbin
MANPREFIX = $(PREFIX)/share/man
# systemd units; initramfs-tools and dracut read only their own folders
# under /usr, whatever PREFIX is (all of them under DESTDIR).
UNITDIR = $(PREFIX)/lib/systemd/system
INITRAMFSDIR = /usr/share/initramfs-tools
DRACUTDIR = /usr/lib/dracut/modules.d

# 1: link BearSSL for https:// and TLS listeners; 0: plain HTTP only.
TLS = 1

# The build's time, seconds since the epoch: the earliest time d20 checks
# certificate dates at when the local clock is behind (d20(1)). From
# SOURCE_DATE_EPOCH when set (dpkg-buildpackage sets it from the release
# line of debian/changelog), else from that same line, else the last
# commit's date, else a fixed date: the same source always builds the same
# bytes, in the tree or as a package (make check-repro shows it; nothing
# else in the stripped static binaries depends on the time or the folder).
ifeq ($(SOURCE_DATE_EPOCH),)
SOURCE_DATE_EPOCH := $(shell sed -n 's/^ -- .*>  //p;T;q' debian/changelog 2>/dev/null | date -f - +%s 2>/dev/null)
endif
ifeq ($(SOURCE_DATE_EPOCH),)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null)
endif
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
endif
BUILD_EPOCH = $(if $(SOURCE_DATE_EPOCH),$(SOURCE_DATE_EPOCH),1796169600)

# The shipped binaries: static, against musl.
CC = musl-gcc
AR = ar
CPPFLAGS = -D_DEFAULT_SOURCE -DVERSION=\"$(VERSION)\" -DD20_TLS=$(TLS) \
	-DD20_BUILD_EPOCH=$(BUILD_EPOCH)LL
# Small by default; the hashing and cipher code gets FASTFLAGS.
# -fno-pie: the binaries are static executables at a fixed address
# (ELF type EXEC), so position-independent code bought nothing and cost
# 0.4 to 1.1 KiB on amd64, more where PIC code is longer (6.8 KiB of
# d20d on i386).
CFLAGS = -std=c99 -Os -Wall -Wextra -pedantic -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables -fno-pie
FASTFLAGS = -O2
# noseparate-code: no page-aligned padding between code and data (8 KiB).
# norelro and a common page size of 64: no padding before the data either
# (up to 4 KiB). ld pads so that GNU_RELRO ends on a page, but musl's
# static start-up never makes that region read-only (/proc/PID/maps shows
# it writable), so the padding protected nothing.
LDFLAGS = -static -no-pie -s -Wl,--gc-sections -Wl,-z,noseparate-code -Wl,-z,norelro \
	-Wl,-z,common-page-size=64

# Unit tests also run built with the host compiler under sanitizers.
HOSTCC = cc
SANFLAGS = -std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra

# BearSSL as d20 needs it: never reading /dev/urandom, which from Linux
# 5.18 on runs the kernel's jitter collection when the crng is not ready
# (d20 and d20d inject their own seed into BearSSL instead), nor asking
# the CPU for RDRAND on each handshake (a cpuid, which a hypervisor traps;
# d20's seed has RDRAND/RDSEED already, d20d's comes from its DRBG and
# getrandom, which the kernel mixes RDRAND into).
BEARSSL_CFLAGS = -Os -ffunction-sections -fdata-sections -fno-pie -DBR_USE_URANDOM=0 -DBR_RDRAND=0
# The BearSSL files where a full handshake spends its CPU (make profile):
# the P-256 and Curve25519 field arithmetic, the i31 Montgomery product,
# the constant-time copy, SHA-256, and the server's handshake interpreter,
# compiled again with BEARSSL_FASTFLAGS into the same archive. The rest
# stays small.
BEARSSL_FAST = ec/ec_p256_m31 ec/ec_c25519_m31 int/i31_montmul codec/ccopy hash/sha2small \
	ssl/ssl_hs_server
BEARSSL_FASTFLAGS = -O2
# BearSSL's room for cipher suites in an engine (BR_MAX_CIPHER_SUITES, a
# constant of bearssl_ssl.h: 48 as Debian builds it), which tools/bearssl.sh
# sets before BearSSL and tls.c are compiled: tls.c offers 6 (and checks
# that they fit). The server's handshake code (ssl_hs_server.t0) looks up
# every slot of its client_suites[], empty ones included, in a table of 47
# suites, one step of its interpreter at a time; with 48 slots that was 70%
# of the interpreter's work and a fifth of d20d's CPU over HTTPS (81,651 ->
# 24,565 T0 instructions per handshake; make profile).
BEARSSL_MAX_SUITES = 6
# ppc64el's code is the largest of the CPUs (fixed-size instructions, no
# memory operands): there sha512.c, aes.c, x25519.c and p256.c are built
# for size too, and BearSSL's P-256 (which p256.c replaces in the
# handshake on 64-bit CPUs) stays small, so that d20d keeps within 200
# KiB with TLS. The ARCH block below sets them.
FASTFLAGS_ppc64el = -Os
BEARSSL_FAST_ppc64el = ec/ec_c25519_m31 int/i31_montmul codec/ccopy hash/sha2small \
	ssl/ssl_hs_server

# Where the build puts objects, BearSSL and test programs.
BUILD = build

# Other CPUs: make ARCH=NAME builds into build/NAME with Debian's cross
# compiler and musl for NAME (tools/cross.sh installs them), with -Werror;
# tests run the programs through qemu-user (make check-arch). The GNU
# triplet of each, musl's folder (riscv64's musl is built from source
# into build/riscv64/musl) and qemu's name for it.
ARCH = amd64
ARCHES = arm64 armhf i386 ppc64el s390x riscv64
GNU_arm64 = aarch64-linux-gnu
GNU_armhf = arm-linux-gnueabihf
GNU_i386 = i686-linux-gnu
GNU_ppc64el = powerpc64le-linux-gnu
GNU_s390x = s390x-linux-gnu
GNU_riscv64 = riscv64-linux-gnu
MUSL_arm64 = /usr/lib/aarch64-linux-musl
MUSL_armhf = /usr/lib/arm-linux-musleabihf
MUSL_i386 = /usr/lib/i386-linux-musl
MUSL_ppc64el = /usr/lib/powerpc64le-linux-musl
MUSL_s390x = /usr/lib/s390x-linux-musl
MUSL_riscv64 = $(CURDIR)/build/riscv64/musl/lib
QEMU_arm64 = aarch64
QEMU_armhf = arm
QEMU_i386 = i386
QEMU_ppc64el = ppc64le
QEMU_s390x = s390x
QEMU_riscv64 = riscv64
ifneq ($(ARCH),amd64)
ifeq ($(GNU_$(ARCH)),)
$(error unknown ARCH=$(ARCH): one of amd64 $(ARCHES))
endif
BUILD = build/$(ARCH)
CC = $(GNU_$(ARCH))-gcc -specs $(MUSL_$(ARCH))/musl-gcc.specs
AR = $(GNU_$(ARCH))-ar
CFLAGS += -Werror
# what runs a program built here: tools/cross.sh installs it
EMU = qemu-$(QEMU_$(ARCH))-static
# made once the cross compiler and musl are there
TOOLCHAIN = $(BUILD)/.toolchain
ifneq ($(FASTFLAGS_$(ARCH)),)
FASTFLAGS = $(FASTFLAGS_$(ARCH))
endif
ifneq ($(BEARSSL_FAST_$(ARCH)),)
BEARSSL_FAST = $(BEARSSL_FAST_$(ARCH))
endif
endif

# Debian's CAVS files (python3-cryptography-vectors) and the shared
# CTR_DRBG vectors beside the repository.
CAVS = /usr/lib/python3/dist-packages/cryptography_vectors
DRBG_VECTORS = ../shared/vectors/ctr_drbg
