#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/ec.sh BENCH_EC - the public-key arithmetic of one full TLS 1.2
# ECDHE-ECDSA handshake on the server's side, as d20d links it (x25519.c, p256.c and
# BearSSL; bench/ec.c) beside openssl speed on the same machine in the same run
# (OpenSSL's assembly stands for what pollen's Go and nginx use): the
# X25519 exchange (a key pair and a shared secret: two scalar
# multiplications, counted as two of openssl's ecdh operations) and the
# ECDSA P-256 signature. Markdown on stdout.
set -eu
out=$("$1")
us() { echo "$out" | awk -v k="$1" '$1 == k { print $2 }'; }
# openssl speed: "253 bits ecdh (X25519) 0.0000s 29183.0", and sign/s
# in the third column of the nistp256 ecdsa line
sp=$(openssl speed -seconds 1 ecdhx25519 ecdhp256 ecdsap256 2>/dev/null)
o_x=$(echo "$sp" | awk '/ecdh \(X25519\)/ { printf "%.1f", 2e6 / $NF }')
o_p=$(echo "$sp" | awk '/ecdh \(nistp256\)/ { printf "%.1f", 2e6 / $NF }')
o_s=$(echo "$sp" | awk '/ecdsa \(nistp256\)/ { printf "%.1f", 1e6 / $(NF - 1) }')
row() { awk -v w="$1" -v b="$2" -v o="$3" 'BEGIN { printf "| %s | %.0f | %.0f | %.1fx |\n", w, b, o, b / o }'; }
echo "| server's part of one handshake | d20d us | OpenSSL us | d20d / OpenSSL |"
echo "| --- | ---: | ---: | ---: |"
row "ECDHE X25519 (key pair from the table, and secret; x25519.c)" "$(us x25519)" "$o_x"
row "the same with the key pair by the ladder (d20, d20d -i)" "$(us x25519_ladder)" "$o_x"
row "the same in BearSSL's own X25519 (ec_c25519_m31)" "$(us x25519_m31)" "$o_x"
row "ECDHE P-256 (key pair and secret)" "$(us p256)" "$o_p"
row "ECDSA P-256 signature (the signer; p256.c)" "$(us ecdsa)" "$o_s"
row "the same in BearSSL's own ECDSA (ec_p256_m31, i31)" "$(us ecdsa_m31)" "$o_s"
row "X25519 + ECDSA P-256, as d20d negotiates with curl and wrk" \
	"$(awk -v a="$(us x25519)" -v b="$(us ecdsa)" 'BEGIN { print a + b }')" \
	"$(awk -v a="$o_x" -v b="$o_s" 'BEGIN { print a + b }')"
echo
awk -v a="$(us x25519)" -v b="$(us ecdsa)" 'BEGIN { printf "That arithmetic alone caps d20d at %.0f full handshakes/s per core.\n", 1e6 / (a + b) }'
