#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/profile.sh [D20D] - where d20d spends its CPU (make profile): d20d
# run under perf record with a software clock (-e cpu-clock, which works in
# virtual machines without hardware counters), so that its parent, its
# signer and every worker it forks are sampled, while wrk sends it
# pollinate's request (POST /, Connection: close) from CONC connections
# for SECONDS_EACH seconds, over plain HTTP and then over HTTPS (a full
# TLS handshake per request, an ECDSA P-256 certificate made by openssl
# now; wrk's OpenSSL chooses X25519 for the key exchange). Prints, for
# each, the share of samples in d20d's own code and in the kernel, and the
# TOP functions by self time ([.] user, [k] kernel). Only d20d's processes
# are sampled, not wrk, so the shares hold on a loaded machine; the
# requests/s beside them do not. A software clock's samples land late
# where the kernel turns interrupts back on (finish_task_switch,
# _raw_spin_unlock_irqrestore): read those as kernel time spent nearby
# (scheduling, wake-ups, the network stack).
# D20D must have its symbols: make profile links build/profile/d20d from
# the shipped objects without -s. Knobs: SECONDS_EACH (10), CONC (16),
# TOP (15), SCHEMES ("http https"), PERF_OUT (a folder to keep the
# perf.data files in; perf report -i FILE reads them again). Run as root.
set -u
cd "$(dirname "$0")/.." || exit 1
D20D=$(realpath "${1:-build/profile/d20d}")
SECONDS_EACH=${SECONDS_EACH:-10}
CONC=${CONC:-16}
TOP=${TOP:-15}
SCHEMES=${SCHEMES:-"http https"}

for t in perf wrk openssl python3; do
	command -v $t >/dev/null 2>&1 || { echo "profile: $t missing (make profile installs it)" >&2; exit 1; }
done
[ -x "$D20D" ] || { echo "profile: $D20D missing: run make profile" >&2; exit 1; }
readelf -SW "$D20D" | grep -q '\.symtab' || { echo "profile: $D20D has no symbols" >&2; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir -m 755 "$tmp/empty"
perfpid=
cleanup() {
	[ -n "$perfpid" ] && kill "$perfpid" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck source=tests/ports.sh
. tests/ports.sh
# the process perf started: d20d's parent
child_of() { awk -v p="$1" '{ sub(/.*\) /, ""); if ($2 == p) { f = FILENAME; sub(/\/stat$/, "", f);
	sub(/.*\//, "", f); print f } }' /proc/[0-9]*/stat 2>/dev/null | head -n 1; }

openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ec.key" 2>/dev/null
openssl req -x509 -new -key "$tmp/ec.key" -subj /CN=localhost -days 2 -out "$tmp/ec.pem" 2>/dev/null ||
	{ echo "profile: openssl failed" >&2; exit 1; }
challenge=$(head -c 64 /dev/urandom | sha512sum | cut -c1-128)
cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "challenge=$challenge"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
EOF

echo "d20d's CPU under load: perf record -e cpu-clock of d20d and all its processes while"
echo "wrk -c $CONC sends POST / with Connection: close for ${SECONDS_EACH}s; self time per function."
for sc in $SCHEMES; do
	port=$(free_port)
	case $sc in
	http) set -- -l "127.0.0.1:$port" ;;
	https) set -- -L "127.0.0.1:$port" --cert "$tmp/ec.pem" --key "$tmp/ec.key" ;;
	*) echo "profile: unknown scheme $sc" >&2; exit 1 ;;
	esac
	perf record -q -e cpu-clock -F 999 -o "$tmp/$sc.data" -- \
		"$D20D" -q -c "$CONC" -C 1024 -r "$tmp/empty" "$@" >"$tmp/perf.$sc.log" 2>&1 &
	perfpid=$!
	wait_port "$port" || { cat "$tmp/perf.$sc.log" >&2; echo "profile: d20d did not start" >&2; exit 1; }
	threads=2
	[ "$CONC" -lt 2 ] && threads=1
	timeout $((SECONDS_EACH + 30)) wrk -t "$threads" -c "$CONC" -d "${SECONDS_EACH}s" --timeout 5s \
		-s "$tmp/post.lua" -H "Connection: close" "$sc://127.0.0.1:$port/" >"$tmp/wrk.$sc" 2>&1
	d=$(child_of "$perfpid")
	[ -n "$d" ] && kill "$d"
	n=0
	while kill -0 "$perfpid" 2>/dev/null && [ "$n" -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
	kill "$perfpid" 2>/dev/null
	wait "$perfpid" 2>/dev/null
	perfpid=
	[ -n "${PERF_OUT:-}" ] && mkdir -p "$PERF_OUT" && cp "$tmp/$sc.data" "$PERF_OUT/$sc.data"

	rps=$(awk '/Requests\/sec:/ { print $2 }' "$tmp/wrk.$sc")
	samples=$(perf script -i "$tmp/$sc.data" -F ip 2>/dev/null | wc -l)
	split=$(perf report -i "$tmp/$sc.data" --stdio -q --no-children --sort dso 2>/dev/null |
		awk -v bin="$(basename "$D20D")" '{ p = $1; sub(/%/, "", p)
			if ($2 == bin) u += p; else if ($2 ~ /kernel/) k += p; else o += p }
			END { printf "d20d %.1f%%, kernel %.1f%%, other %.1f%%", u, k, o }')
	# by process name: the parent (d20d), its workers (d20d-worker), the
	# signer (d20d-signer), and what else ran (wrk, perf)
	procs=$(perf report -i "$tmp/$sc.data" --stdio -q --no-children --sort comm 2>/dev/null |
		awk 'NF >= 2 && $1 ~ /%$/ { printf "%s%s %s", s, $2, $1; s = ", " }')
	echo
	echo "$(echo "$sc" | tr "[:lower:]" "[:upper:]"): ${samples:-?} samples at 999 Hz, $split; wrk got ${rps:-?} requests/s meanwhile."
	echo "By process: ${procs:-?}."
	echo
	echo "| share | where | function |"
	echo "| ---: | --- | --- |"
	perf report -i "$tmp/$sc.data" --stdio -q --no-children --sort symbol 2>/dev/null |
		awk -v top="$TOP" 'NF >= 3 && $1 ~ /%$/ && n < top { n++
			w = ($2 == "[k]") ? "kernel" : "d20d"
			f = $3; for (i = 4; i <= NF; i++) f = f " " $i
			sub(/( +-)+ *$/, "", f)
			printf "| %s | %s | %s |\n", $1, w, f }'
done
