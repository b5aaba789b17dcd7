#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/arch_loopback.sh - make check-arch: another CPU's d20d and d20,
# run by qemu-user (D20_EMU), on loopback. d20 against d20d over HTTP and
# HTTPS (a CA, a pin, a wrong pin); d20d's Pollen answer checked here;
# d20 against test twins of a Pollen server and of the real D20 (4,096
# bytes too). qemu-user has no RNDADDENTROPY, so seeds go to -o files.
# The pair is built with D20_SANDBOX_EMULATED: qemu-user refuses seccomp.
. "$(dirname "$0")/client_lib.sh"

: "${D20_EMU:?D20_EMU: run by make check-arch}"
E=$BUILD/emu
D20="timeout 60 $D20_EMU $E/d20"
D20D="$D20_EMU $E/d20d"
echo "# ARCH=${ARCH:-?}: $(readelf -h "$E/d20" | sed -n "s/^ *Machine: *//p")"

check "d20 $($D20 --version 2>&1) runs under $D20_EMU" $D20 --version
start_test_server
check "d20 is built with TLS" [ "$tls" = 1 ]

out=$work/out
seed_ok() { # a 64-byte seed, not all zero
	[ "$(wc -c < "$1")" = 64 ] && [ -n "$(tr -d '\0' < "$1")" ]
}

$D20 -v -o "$work/s1" "http://127.0.0.1:$hp/" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "d20 -> d20d over HTTP: exit 0, verified as D20" \
	sh -c "[ $rc = 0 ] && grep -q 'verified, d20 over http,' '$out'"
check "... 64-byte seed written" seed_ok "$work/s1"

pin=$(cat "$work/pin")
$D20 -v -o "$work/s2" --pin "$pin" "https://127.0.0.1:$sp/" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "d20 -> d20d over HTTPS with a pin: verified over https+pin" \
	sh -c "[ $rc = 0 ] && grep -q 'verified, d20 over https+pin' '$out'"
check "... a different seed" sh -c "! cmp -s '$work/s1' '$work/s2'"
$D20 -v -o /dev/null --ca "$work/ca.pem" "https://localhost:$sp/" >"$out" 2>&1
rc=$?
check "d20 -> d20d over HTTPS with a CA: verified over https+ca" \
	sh -c "[ $rc = 0 ] && grep -q 'verified, d20 over https+ca' '$out'"
$D20 -v -o /dev/null --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" \
	"https://127.0.0.1:$sp/" >"$out" 2>&1
rc=$?
check "a wrong pin: exit 1 with a TLS reason" \
	sh -c "[ $rc = 1 ] && grep -q 'failed: TLS: ' '$out'"

# d20d's Pollen answer, as pollinate asks for it: POST / challenge=HEX.
chal=$(head -c 64 /dev/urandom | od -An -tx1 | tr -d ' \n')
curl -s -m 30 -d "challenge=$chal" "http://127.0.0.1:$hp/" >"$work/pollen"
python3 - "$chal" "$work/pollen" >"$out" 2>&1 <<'PY'
import hashlib, sys
chal = sys.argv[1].encode()
lines = open(sys.argv[2], "rb").read().split(b"\n")
assert lines[0].decode() == hashlib.sha512(chal).hexdigest(), "line 1 is not SHA-512(C)"
assert len(lines[1]) == 128 and int(lines[1], 16) >= 0, "line 2 is not 128 hex digits"
print("pollen answer ok")
PY
check "d20d's Pollen answer: SHA-512 of the challenge, then 128 hex digits" \
	grep -q 'pollen answer ok' "$out"

# d20 as the client of the other servers' forms (test twins, on loopback).
start_hostile "$work/ports" --cert "$work/srv.pem" --key "$work/srv.key" \
	pollen d20 d20-early pollen-wrong tls-pollen
for b in pollen d20 d20-early; do
	$D20 -v -o "$work/s-$b" "http://127.0.0.1:$(port_of "$work/ports" $b)/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	proto=$b
	[ "$b" = d20-early ] && proto=d20
	check "d20 -> a $b server: verified as $proto" \
		sh -c "[ $rc = 0 ] && grep -q 'verified, $proto over http,' '$out'"
	check "... 64-byte seed written" seed_ok "$work/s-$b"
done
$D20 -v -o /dev/null --pin "$pin" "https://127.0.0.1:$(port_of "$work/ports" tls-pollen)/" \
	>"$out" 2>&1
rc=$?
check "d20 -> a Pollen server over HTTPS with a pin: verified" \
	sh -c "[ $rc = 0 ] && grep -q 'verified, pollen over https+pin' '$out'"
$D20 -v -o /dev/null "http://127.0.0.1:$(port_of "$work/ports" pollen-wrong)/" >"$out" 2>&1
check "d20 -> a Pollen server with a wrong hash: refused, exit 1" [ $? = 1 ]
