#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_kernel.sh - d20 feeding the kernel: as root RNDADDENTROPY
# must succeed and credit only authenticated answers (or all with
# --credit-insecure) while the crng is not ready, and once it is ready
# (a running host) mix without credit and force a reseed (RNDRESEEDCRNG),
# saying so on stderr and in the kernel log; as an ordinary user d20
# mixes in without credit and says so. Not root, only that last part can
# run. The crng-not-ready side is tests/boot_initramfs.sh's.
. "$(dirname "$0")/client_lib.sh"

root=0
[ "$(id -u)" = 0 ] && root=1
start_test_server
out=$work/out

if [ $root = 1 ]; then
	$D20 -v "http://127.0.0.1:$hp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "root, plain HTTP: exit 0" [ $rc = 0 ]
	check "... mixed with 0 bits credited" grep -q 'verified, d20 over http, .* 0 bits credited' "$out"
	check "... reports the kernel before and after" \
		sh -c "grep -q 'kernel before: entropy_avail [0-9]*, crng' '$out' && grep -q 'kernel after: entropy_avail' '$out'"

	# What the kernel does with credit depends on the crng: while it is
	# not ready d20 credits; once it is (on a running host, always), the
	# kernel ignores credit, so d20 mixes without and forces a reseed.
	ready=0
	grep -q 'kernel before: .*crng ready' "$out" && ready=1
	marks=$(dmesg 2>/dev/null | grep -c 'd20: kernel: ')
	strace -f -qq -e trace=ioctl -o "$work/strace" \
		$D20 -v --credit-insecure --credit 32 "http://127.0.0.1:$hp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out" "$work/strace"
	if [ $ready = 1 ]; then
		check "root, crng ready, --credit-insecure --credit 32: no credit claimed" \
			sh -c "[ $rc = 0 ] && grep -q 'over http, .* 0 bits credited' '$out' &&
				! grep -q 'RNDADDENTROPY ok' '$out'"
		check "... the answer was mixed with 0 bits and a reseed forced" \
			grep -q 'kernel: mixed 1 answer and forced a reseed' "$out"
		check "... strace shows RNDADDENTROPY with entropy_count=0, then RNDRESEEDCRNG" \
			sh -c "grep -q 'RNDADDENTROPY, {entropy_count=0,.* = 0' '$work/strace' &&
				grep -q 'RNDRESEEDCRNG) *= 0' '$work/strace'"
	else
		check "root, crng not ready, --credit-insecure --credit 32: 32 bits credited" \
			sh -c "[ $rc = 0 ] && grep -q 'RNDADDENTROPY ok: 32 bits credited' '$out' &&
				grep -q 'kernel: credited 32 bits' '$out'"
	fi
	n=$(dmesg 2>/dev/null | grep -c 'd20: kernel: ')
	check "... and the kernel log has d20's line ($marks, then $n)" [ "$n" -gt "$marks" ]

	if [ "$tls" = 1 ]; then
		$D20 -v --pin "$(cat "$work/pin")" "https://127.0.0.1:$sp/" "http://127.0.0.1:$hp/" >"$out" 2>&1
		rc=$?
		sed 's/^/# /' "$out"
		if [ $ready = 1 ]; then
			check "root, https+pin and http, crng ready: both mixed, 0 bits, one reseed" \
				sh -c "[ $rc = 0 ] && grep -q 'https+pin, .* 0 bits credited' '$out' &&
					grep -q 'kernel: mixed 2 answers and forced a reseed' '$out'"
		else
			check "root, https+pin and http: only the pinned answer earns 64 bits" \
				sh -c "[ $rc = 0 ] && grep -q 'https+pin, .* 64 bits credited' '$out' &&
					grep -q 'over http, .* 0 bits credited' '$out' &&
					grep -q 'RNDADDENTROPY ok: 64 bits credited' '$out'"
		fi
	fi
fi

# An ordinary user: /dev/urandom takes the bytes, the kernel credits none.
user=
[ $root = 1 ] && user="setpriv --reuid=65534 --regid=65534 --clear-groups"
if [ $root = 0 ] || command -v setpriv >/dev/null 2>&1; then
	$user $D20 -v --credit-insecure "http://127.0.0.1:$hp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "not root: exit 0, mixed without credit and says so" \
		sh -c "[ $rc = 0 ] && grep -q 'not root: mixing into /dev/urandom without credit' '$out' &&
			grep -q '0 bits credited' '$out' &&
			grep -q 'kernel: mixed 1 answer only, nothing credited (not root)' '$out'"
fi

# d20 must never wait on the RNG it seeds: no read of /dev/random or
# /dev/urandom (from Linux 5.18 a read of urandom before the crng is ready
# runs the kernel's jitter collection first), no blocking getrandom.
if command -v strace >/dev/null 2>&1; then
	strace -f -qq -e trace=open,openat,getrandom -o "$work/strace" \
		$D20 -o /dev/null "http://127.0.0.1:$hp/" >/dev/null 2>&1
	sed 's/^/# /' "$work/strace" | grep -E 'random|urandom' | head -n 8
	check "d20 opens no RNG device for reading" \
		sh -c "! grep -E 'open.*/dev/u?random' '$work/strace' | grep -qv O_WRONLY"
	check "every getrandom d20 makes is GRND_INSECURE or GRND_NONBLOCK" \
		sh -c "grep -q getrandom '$work/strace' &&
			! grep getrandom '$work/strace' | grep -vqE 'GRND_INSECURE|GRND_NONBLOCK'"
else
	echo "ok - d20 RNG-device check # SKIP strace not installed"
fi
