#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_pins.sh - key rotation: d20 takes up to 8 pins joined by
# ';' (any one may match), on the command line and on a server list line,
# against a d20d with key A: "B;A" verifies, "B;C" fails cleanly, 8 pins
# verify, 9 are refused with exit 2. TLS=1 only.
. "$(dirname "$0")/client_lib.sh"

if ! $D20 --version | grep -q ' tls$'; then
	ok "pin lists # SKIP d20 built with TLS=0"
	exit 0
fi
start_test_server
out=$work/out
# pin_of KEYFILE: the sha256// pin of a private key's public half.
pin_of() {
	echo "sha256//$(openssl pkey -in "$1" -pubout -outform der |
		openssl dgst -sha256 -binary | base64)"
}
a=$(cat "$work/pin")
b=$(pin_of "$work/other.key")
c=$(pin_of "$work/ca.key")
url=https://127.0.0.1:$sp/

$D20 -v -o /dev/null --pin "$b;$a" "$url" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "--pin 'B;A' (the server's key second): verified over https+pin" \
	sh -c "[ $rc = 0 ] && grep -q 'verified, d20 over https+pin' '$out'"

$D20 -v -o /dev/null --pin "$b;$c" "$url" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "--pin 'B;C' (neither is the server's): exit 1, the key does not match" \
	sh -c "[ $rc = 1 ] && grep -q 'failed: TLS: server key does not match --pin' '$out'"

eight="$b;$c;$b;$c;$b;$c;$b;$a"
$D20 -v -o /dev/null --pin "$eight" "$url" >"$out" 2>&1
rc=$?
check "8 pins, the server's last: verified" \
	sh -c "[ $rc = 0 ] && grep -q 'verified, d20 over https+pin' '$out'"

$D20 -v -o /dev/null --pin "$a;$eight" "$url" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "9 pins: exit 2, 'more than 8 pins'" \
	sh -c "[ $rc = 2 ] && grep -q -- '--pin: more than 8 pins' '$out'"

$D20 -v -o /dev/null --pin "$b;;$a" "$url" >"$out" 2>&1
check "an empty pin between two ';': exit 2" [ $? = 2 ]

# A server list: URL and a pin list on one line.
printf '%s %s\n' "$url" "$b;$a" >"$work/list"
$D20 -v -o /dev/null -f "$work/list" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "a list line 'URL B;A': verified over https+pin" \
	sh -c "[ $rc = 0 ] && grep -q 'verified, d20 over https+pin' '$out'"
printf '%s %s\n' "$url" "$eight" >"$work/list"
$D20 -q -o /dev/null -f "$work/list" >"$out" 2>&1
check "a list line with 8 pins: verified" [ $? = 0 ]
printf '%s %s\n' "$url" "$b;$c" >"$work/list"
$D20 -v -o /dev/null -f "$work/list" >"$out" 2>&1
rc=$?
check "a list line 'URL B;C': exit 1, the key does not match" \
	sh -c "[ $rc = 1 ] && grep -q 'server key does not match' '$out'"
printf '%s %s\n' "$url" "$a;$eight" >"$work/list"
$D20 -v -o /dev/null -f "$work/list" >"$out" 2>&1
rc=$?
check "a list line with 9 pins: exit 2, 'more than 8 pins'" \
	sh -c "[ $rc = 2 ] && grep -q 'list: more than 8 pins' '$out'"
