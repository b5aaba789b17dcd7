#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_testssl.sh - Debian's testssl.sh, a TLS scanner nobody here
# wrote, against d20d's HTTPS listener (an EC P-256 certificate made now):
# protocols (-p), cipher categories (-s) and vulnerabilities (-U). Any line
# saying VULNERABLE or NOT ok fails; each section must have been reached.
# Before d20d refused renegotiation this reported "Secure Client-Initiated
# Renegotiation VULNERABLE (NOT ok), DoS threat".
. "$(dirname "$0")/client_lib.sh"
make_certs "$work" || nok "openssl made the test certificates"
hp=$(free_port)
sp=$(free_port)
start_d20d "$hp" -L "127.0.0.1:$sp" --cert "$work/srv.pem" --key "$work/srv.key" -C 4096
check "d20d listens for HTTPS on 127.0.0.1:$sp" wait_port "$sp" 50
# testssl.sh phones out only when asked (--phone-out); it talks to the one
# address given. Bounded: a stuck scan fails rather than hangs.
timeout 900 testssl --quiet --color 0 --warnings off --ip one -p -s -U \
	"127.0.0.1:$sp" >"$work/scan.txt" 2>&1
rc=$?
sed 's/^/# /' "$work/scan.txt"
check "testssl.sh finished (status $rc)" [ "$rc" -lt 124 ]
for s in 'Testing protocols' 'Testing cipher categories' 'Testing vulnerabilities' \
	'Secure Client-Initiated Renegotiation' 'Heartbleed' 'ROBOT'; do
	check "the scan reached: $s" grep -q "$s" "$work/scan.txt"
done
check "TLS 1.2 offered, SSLv2, SSLv3, TLS 1, TLS 1.1 not" sh -c \
	"grep -q 'TLS 1.2 *offered' '$work/scan.txt' && grep -q 'SSLv2 *not offered' '$work/scan.txt' &&
	 grep -q 'SSLv3 *not offered' '$work/scan.txt' && grep -q 'TLS 1 *not offered' '$work/scan.txt' &&
	 grep -q 'TLS 1.1 *not offered' '$work/scan.txt'"
bad=$(grep -iE 'VULNERABLE|NOT ok' "$work/scan.txt" | grep -viE 'not vulnerable')
check "no VULNERABLE or NOT ok in protocols, ciphers, vulnerabilities${bad:+: $bad}" [ -z "$bad" ]
check "client-initiated renegotiation refused" \
	grep -q 'Secure Client-Initiated Renegotiation *not vulnerable' "$work/scan.txt"
