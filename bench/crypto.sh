#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/crypto.sh BENCH_PROGRAM - SHA-512 and CTR_DRBG generate throughput
# beside openssl speed (sha512 and aes-256-ctr) measured in the same run,
# as a Markdown table with ratios. Numbers, not a test: nothing here fails.
# ROUNDS=N sets the number of rounds (default 3).
set -eu
prog=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Three rounds, each side in turn, keeping each side's best: a shared
# machine slows whichever side it happens to meet, not both alike.
# openssl speed -mr: "+F:n:name:v16:v64:v256:v1024:v8192:v16384" in bytes/s.
rounds=${ROUNDS:-3}
: > "$tmp/ossl"
: > "$tmp/ours"
i=0
while [ "$i" -lt "$rounds" ]; do
	openssl speed -mr -seconds 1 -evp sha512 2>/dev/null | grep '^+F:' >> "$tmp/ossl"
	"$prog" >> "$tmp/ours"
	openssl speed -mr -seconds 1 -evp aes-256-ctr 2>/dev/null | grep '^+F:' >> "$tmp/ossl"
	i=$((i + 1))
done

ossl() { # name size -> best MB/s
	awk -F: -v name="$1" -v size="$2" '
		BEGIN { col["16"] = 4; col["64"] = 5; col["256"] = 6; col["1024"] = 7;
			col["8192"] = 8; col["16384"] = 9 }
		tolower($3) == name && $(col[size]) > best { best = $(col[size]) }
		END { printf "%.1f", best / 1e6 }' "$tmp/ossl"
}
ours() {
	awk -v n="$1" -v s="$2" '$1 == n && $2 == s && $3 > best { best = $3 }
		END { if (best) print best }' "$tmp/ours"
}

echo "| what | size | d20 MB/s | OpenSSL MB/s | ratio |"
echo "| --- | ---: | ---: | ---: | ---: |"
for size in 64 1024 16384; do
	for row in "sha512 sha512 SHA-512" "drbg-ni aes-256-ctr CTR_DRBG_(AES-NI)" \
	    "drbg-ct aes-256-ctr CTR_DRBG_(constant-time)"; do
		set -- $row
		a=$(ours "$1" "$size"); b=$(ossl "$2" "$size")
		[ -n "$a" ] || continue
		label=$(echo "$3" | tr _ ' ')
		vs=$([ "$1" = sha512 ] && echo "sha512" || echo "aes-256-ctr")
		awk -v l="$label" -v s="$size" -v a="$a" -v b="$b" -v vs="$vs" \
			'BEGIN { printf "| %s vs %s | %d | %.0f | %.0f | %.2fx |\n", l, vs, s, a, b, (b > 0 ? a / b : 0) }'
	done
done
