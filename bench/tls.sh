#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/tls.sh [D20D [KEYIN]] - what keeping the TLS key in a signer costs
# per handshake: d20d as shipped (the key in its signer, every worker
# asking it for the ServerKeyExchange signature) against the same source
# built with -DD20D_KEY_IN_WORKER (make build/keyinworker/d20d: every
# worker signs itself, as d20d did before). wrk on loopback, HTTPS GET
# /api/status, one new connection, so one full TLS 1.2 ECDHE handshake,
# per request (Connection: close; d20d keeps no session cache), with an
# EC P-256 and an RSA-2048 certificate made by openssl now. The two
# builds take turns (the order swaps each round), ROUNDS rounds of
# SECONDS_EACH seconds at each concurrency of LEVELS; the median is
# reported, with the ratio signer / key in the worker. Prints Markdown.
# Not a test: numbers depend on the machine. Run as root (d20d drops to
# nobody).
set -u
cd "$(dirname "$0")/.." || exit 1
B=${BUILD:-build}
D20D=$(realpath "${1:-./d20d}")
KEYIN=$(realpath "${2:-$B/keyinworker/d20d}")
SECONDS_EACH=${SECONDS_EACH:-5}
ROUNDS=${ROUNDS:-3}
LEVELS=${LEVELS:-"1 16"}

for t in wrk openssl python3; do
	command -v $t >/dev/null 2>&1 || { echo "bench: $t missing (make bench installs it)" >&2; exit 1; }
done
for f in "$D20D" "$KEYIN"; do
	[ -x "$f" ] || { echo "bench: $f missing: run make bench" >&2; exit 1; }
done

tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir -m 755 "$tmp/empty"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck source=tests/ports.sh
. tests/ports.sh

openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ec.key" 2>/dev/null
openssl genrsa -out "$tmp/rsa.key" 2048 2>/dev/null
for k in ec rsa; do
	openssl req -x509 -new -key "$tmp/$k.key" -subj /CN=localhost -days 2 \
		-out "$tmp/$k.pem" 2>/dev/null || { echo "bench: openssl failed" >&2; exit 1; }
done

# Both builds serve both keys at once, each on its own port, -q so that
# logging costs nothing; -c as the largest level, -C as wrk comes from one
# address.
maxc=1
for c in $LEVELS; do [ "$c" -gt "$maxc" ] && maxc=$c; done
for b in signer keyin; do
	bin=$D20D
	[ $b = keyin ] && bin=$KEYIN
	for k in ec rsa; do
		port=$(free_port)
		"$bin" -q -L "127.0.0.1:$port" -c "$maxc" -C 1024 -r "$tmp/empty" \
			--cert "$tmp/$k.pem" --key "$tmp/$k.key" 2>"$tmp/$b-$k.log" &
		pids="$pids $!"
		wait_port "$port" 50 || { echo "bench: $bin did not start" >&2; exit 1; }
		echo "$port" >"$tmp/port.$b.$k"
	done
done

# run BUILD KEY CONC: one wrk run, appends "KEY CONC BUILD rps errors"
run() {
	threads=2
	[ "$3" -lt 2 ] && threads=1
	timeout $((SECONDS_EACH + 30)) wrk -t "$threads" -c "$3" -d "${SECONDS_EACH}s" --timeout 5s \
		-H "Connection: close" "https://127.0.0.1:$(cat "$tmp/port.$1.$2")/api/status" \
		>"$tmp/wrk.out" 2>&1
	awk -v b="$1" -v k="$2" -v c="$3" '
	/Requests\/sec:/ { rps = $2 }
	/Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
	/Non-2xx/ { err += $NF }
	END { printf "%s %s %s %s %d\n", k, c, b, rps + 0, err }' "$tmp/wrk.out" >>"$tmp/results"
}

: >"$tmp/results"
r=1
order="signer keyin"
while [ "$r" -le "$ROUNDS" ]; do
	for k in ec rsa; do
		for c in $LEVELS; do
			for b in $order; do run "$b" "$k" "$c"; done
		done
	done
	order="${order#* } ${order%% *}"
	r=$((r + 1))
done

echo "Full TLS 1.2 handshakes/s (HTTPS GET /api/status, Connection: close), median of"
echo "$ROUNDS rounds of ${SECONDS_EACH}s, the two builds of the same source taking turns:"
echo
echo "| key | concurrency | key in the signer | key in each worker | signer / in worker | errors |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
awk '
{ k = $1 " " $2 " " $3; n[k]++; v[k, n[k]] = $4; err[$1 " " $2] += $5
  if (!seen[$1 " " $2]++) row[++m] = $1 " " $2 }
function median(k,    i, j, t, a, c) {
	c = n[k]
	for (i = 1; i <= c; i++) a[i] = v[k, i]
	for (i = 2; i <= c; i++) for (j = i; j > 1 && a[j - 1] > a[j]; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
	return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
}
END {
	for (i = 1; i <= m; i++) {
		split(row[i], f, " ")
		s = median(row[i] " signer"); w = median(row[i] " keyin")
		printf "| %s | %d | %.0f | %.0f | %.2fx | %d |\n", (f[1] == "ec" ? "EC P-256" : "RSA-2048"),
			f[2], s, w, (w > 0 ? s / w : 0), err[row[i]]
	}
}' "$tmp/results"
