#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_d20d.sh - d20 against the real d20d on loopback: HTTP over
# IPv4 and IPv6, HTTPS with a CA and with a pin (certificates made now by
# openssl), and the TLS failures a client must name.
. "$(dirname "$0")/client_lib.sh"

start_test_server

out=$work/out
$D20 -v -o "$work/seed" "http://127.0.0.1:$hp/" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "d20 -> d20d over HTTP: exit 0" [ $rc = 0 ]
check "... verified as D20 over http" grep -q 'verified, d20 over http,' "$out"
check "... 64-byte seed written" [ "$(wc -c < "$work/seed")" = 64 ]
$D20 -q -o /dev/null "http://127.0.0.1:$hp/api/entropy"
check "d20 -> d20d at an explicit /api/entropy: exit 0" [ $? = 0 ]
$D20 -v -o /dev/null "http://127.0.0.1:$hp/api/status" >"$out" 2>&1
check "d20 -> d20d /api/status (no entropy): refused" grep -q 'failed: missing challengeResponse' "$out"

# IPv6 loopback, when this machine has it.
if python3 -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	p6=$(free_port)
	./d20d -q -l "[::1]:$p6" 2>>"$work/d20d.log" &
	pids="$pids $!"
	n=0
	until $D20 -q -o /dev/null --timeout 1 "http://[::1]:$p6/" 2>/dev/null; do
		n=$((n + 1))
		[ $n -ge 20 ] && break
		sleep 0.1
	done
	check "d20 -> d20d over IPv6 [::1]: verified" [ $n -lt 20 ]
fi

if [ "$tls" = 1 ]; then
	pin=$(cat "$work/pin")
	$D20 -v -o /dev/null --ca "$work/ca.pem" "https://localhost:$sp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "d20 -> d20d over HTTPS with --ca: exit 0" [ $rc = 0 ]
	check "... verified over https+ca" grep -q 'verified, d20 over https+ca' "$out"
	$D20 -v -o /dev/null --pin "$pin" "https://127.0.0.1:$sp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "d20 -> d20d over HTTPS with --pin (no CA): exit 0" [ $rc = 0 ]
	check "... verified over https+pin" grep -q 'verified, d20 over https+pin' "$out"

	$D20 -v -o /dev/null --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" \
		"https://127.0.0.1:$sp/" >"$out" 2>&1
	rc=$?
	check "a wrong pin: exit 1" [ $rc = 1 ]
	check "... failed with a TLS reason" grep -q 'failed: TLS: ' "$out"
	$D20 -v -o /dev/null --ca "$work/other.pem" "https://localhost:$sp/" >"$out" 2>&1
	rc=$?
	check "a certificate from another CA: exit 1 with a TLS reason" \
		sh -c "[ $rc = 1 ] && grep -q 'failed: TLS: ' '$out'"
	$D20 -v -o /dev/null --ca "$work/ca.pem" "https://127.0.0.1:$sp/" >"$out" 2>&1
	rc=$?
	check "a name the certificate does not hold: exit 1 with a TLS reason" \
		sh -c "[ $rc = 1 ] && grep -q 'failed: TLS: ' '$out'"
	$D20 -v -o /dev/null --pin "$pin" "http://127.0.0.1:$sp/" >"$out" 2>&1
	check "plain HTTP to a TLS port fails, not hangs" grep -q 'failed: ' "$out"
	$D20 --pin sha256//short "https://127.0.0.1:$sp/" >/dev/null 2>&1
	check "a malformed --pin: exit 2" [ $? = 2 ]
	$D20 --ca "$work/no-such.pem" "https://127.0.0.1:$sp/" >/dev/null 2>&1
	check "a missing --ca file: exit 2" [ $? = 2 ]

	# Neither a CA bundle (an empty /etc in a mount namespace) nor a pin.
	if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
		unshare -m sh -c "mount -t tmpfs none /etc &&
			$D20 -v -o /dev/null https://127.0.0.1:$sp/" >"$out" 2>&1
		check "https with no CA bundle and no pin fails saying so" \
			grep -q 'failed: TLS: no CA bundle (--ca) and no --pin' "$out"
	fi

	# A list mixing plain and TLS servers, a pin on its own line.
	printf '%s\nhttps://127.0.0.1:%s/ %s\nhttps://localhost:%s/\n' \
		"http://127.0.0.1:$hp/" "$sp" "$pin" "$sp" >"$work/list"
	$D20 -v -f "$work/list" --ca "$work/ca.pem" -o /dev/null >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "http, https+pin (pin in the list) and https+ca at once: 3 of 3" \
		sh -c "[ $rc = 0 ] && grep -q '3 of 3 servers verified' '$out'"
fi
