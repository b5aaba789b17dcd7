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
CPPFLAGS = -D_DEFAULT_SOURCE -DVERSION=\"$(VERSION)\" -DD20_TLS=$(TLS) \
	-DD20_BUILD_EPOCH=$(BUILD_EPOCH)LL
# Small by default; the hashing and cipher code gets FASTFLAGS.
CFLAGS = -std=c99 -Os -Wall -Wextra -pedantic -ffunction-sections -fdata-sections \
	-fno-asynchronous-unwind-tables -fno-unwind-tables
FASTFLAGS = -O2
# noseparate-code: no page-aligned padding between code and data (8 KiB).
LDFLAGS = -static -s -Wl,--gc-sections -Wl,-z,noseparate-code
# d20d: musl applies no GNU_RELRO in a static program (the pages stay
# writable: /proc/PID/maps), so that segment only pads the file up to a
# page boundary, which d20d's TLS=0 build would cross (+4 KiB). d20's
# layout comes out smaller with it, so d20 keeps it.
D20D_LDFLAGS = -Wl,-z,norelro

# Unit tests also run built with the host compiler under sanitizers.
HOSTCC = cc
SANFLAGS = -std=c99 -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wextra

# BearSSL as d20 needs it: never reading /dev/urandom, which from Linux
# 5.18 on runs the kernel's jitter collection when the crng is not ready
# (d20 and d20d inject their own seed into BearSSL instead).
BEARSSL_CFLAGS = -Os -ffunction-sections -fdata-sections -DBR_USE_URANDOM=0

# Where the build puts objects, BearSSL and test programs.
BUILD = build

# Debian's CAVS files (python3-cryptography-vectors) and the shared
# CTR_DRBG vectors beside the repository.
CAVS = /usr/lib/python3/dist-packages/cryptography_vectors
DRBG_VECTORS = ../shared/vectors/ctr_drbg
