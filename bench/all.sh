#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/all.sh - every comparison in one run (make bench): the server
# beside pollen and nginx over HTTP and HTTPS (bench/server.sh), what the TLS key's signer
# costs per handshake (bench/tls.sh), the client beside pollinate
# (bench/client.sh), the handshake's public-key arithmetic beside openssl
# speed (bench/ec.sh), binary sizes, peak RSS, the crypto beside openssl
# speed (bench/crypto.sh), and where d20d spends its CPU (bench/profile.sh). Writes bench/results.md and bench/results.png
# (gnuplot), and puts the tables into the README's Benchmarks section
# (README_UPDATE=0 leaves the README alone).
# Knobs: SECONDS_EACH (5) and ROUNDS (3) for the server runs (ROUNDS also
# for the crypto rounds), RUNS (200) for the client; about 10 minutes on
# 2 cores with the defaults. A quick look: SECONDS_EACH=2 ROUNDS=1 RUNS=20.
# Expects the binaries built (make bench builds them first):
# BUILD/tls1/d20 and d20d, BUILD/tls0/d20 and d20d, BUILD/bench_crypto,
# BUILD/keyinworker/d20d, BUILD/profile/d20d.
set -eu
cd "$(dirname "$0")/.."
export SECONDS_EACH="${SECONDS_EACH:-5}" ROUNDS="${ROUNDS:-3}" RUNS="${RUNS:-200}"
B=${BUILD:-build}
CMD=${BENCH_CMD:-sh bench/all.sh}
for f in "$B/tls1/d20" "$B/tls1/d20d" "$B/tls0/d20" "$B/tls0/d20d" "$B/bench_crypto" \
	"$B/bench_ec" "$B/keyinworker/d20d" "$B/profile/d20d"; do
	[ -x "$f" ] || { echo "bench: $f missing: run make bench" >&2; exit 1; }
done
command -v gnuplot >/dev/null 2>&1 || { echo "bench: gnuplot missing (make bench installs gnuplot-nox)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

ver() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo '?'; }
bytes() { wc -c <"$1" | tr -d ' '; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

date=$(date -u '+%Y-%m-%d %H:%M UTC')
up_start=$(uptime)

echo "bench: server: d20d, pollen, nginx; HTTP and HTTPS, 4 levels x $ROUNDS rounds x ${SECONDS_EACH}s each" >&2
DATA="$tmp/levels.dat" DATA_TLS="$tmp/tls.dat" RSS_OUT="$tmp/rss" sh bench/server.sh "$B/tls1/d20d" >"$tmp/server.md"
echo "bench: TLS: the key in the signer and in each worker, $ROUNDS rounds x ${SECONDS_EACH}s each" >&2
BUILD=$B sh bench/tls.sh "$B/tls1/d20d" "$B/keyinworker/d20d" >"$tmp/tls.md"
echo "bench: handshake arithmetic: BearSSL and openssl speed" >&2
sh bench/ec.sh "$B/bench_ec" >"$tmp/ec.md"
echo "bench: client: d20 and pollinate, $RUNS runs each" >&2
D20="$B/tls1/d20" D20D="$B/tls1/d20d" RSS_OUT="$tmp/rss" sh bench/client.sh >"$tmp/client.md"
echo "bench: crypto: d20 and openssl speed, $ROUNDS rounds" >&2
sh bench/crypto.sh "$B/bench_crypto" >"$tmp/crypto.md"
echo "bench: profile: d20d under perf, HTTP and HTTPS, ${SECONDS_EACH}s each" >&2
TOP=10 sh bench/profile.sh "$B/profile/d20d" >"$tmp/profile.md"

up_end=$(uptime)
load() { echo "$1" | sed 's/.*load average: //'; }

d20_1=$(bytes "$B/tls1/d20") d20_0=$(bytes "$B/tls0/d20")
d20d_1=$(bytes "$B/tls1/d20d") d20d_0=$(bytes "$B/tls0/d20d")
poll=$(bytes "$(command -v pollinate)") pollen=$(bytes "$(command -v pollen)")
nginx=$(bytes "$(command -v nginx)")

gnuplot -e "data='$tmp/levels.dat'; data_tls='$tmp/tls.dat'; out='$tmp/results.png'; sub='$date, $(nproc) cores, load $(load "$up_start") at start'" \
	bench/plot.gp

{
	echo "# d20 benchmarks"
	echo
	echo "- Date: $date"
	echo "- Machine: $(nproc) cores (nproc), $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
		"Linux $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
	echo "- Load average (1, 5, 15 min) at start: $(load "$up_start"); at end: $(load "$up_end")"
	echo "- uptime at start: \`$(echo "$up_start" | sed 's/^ *//')\`"
	echo "- uptime at end: \`$(echo "$up_end" | sed 's/^ *//')\`"
	echo "- Command: \`$CMD\` with SECONDS_EACH=$SECONDS_EACH ROUNDS=$ROUNDS RUNS=$RUNS"
	echo "- Peers (Debian packages): pollen $(ver pollen), pollinate $(ver pollinate)," \
		"nginx $(ver nginx) (nginx-light), openssl $(ver openssl); wrk $(ver wrk), hyperfine $(ver hyperfine)"
	echo "- Plot: bench/results.png (requests/s and p99 latency against concurrency, HTTP and HTTPS)"
	echo
	echo "## Server"
	echo
	echo "wrk on loopback, POST / with a 128-hex challenge as pollinate sends it, one new"
	echo "connection per request (Connection: close); the three servers take turns, in an"
	echo "order that rotates each round. d20d: its pool of workers (-c 256 -C 1024, as"
	echo "wrk connects from one address). pollen: Debian's, reading /dev/urandom. nginx:"
	echo "Debian's, one worker per core, returning a fixed 260-byte body, standing for"
	echo "the limit of connection-per-request HTTP on this machine; its listeners are"
	echo "\"deferred\" (TCP_DEFER_ACCEPT), as d20d's always are. All three log each"
	echo "request to the same syslog sink (nginx with access_log syslog:). The client"
	echo "and the servers share the same cores, in a network namespace whose only"
	echo "interface is loopback. HTTPS: the three serve one ECDSA P-256 certificate"
	echo "made by openssl for the run, and every request is a new TLS connection with a"
	echo "full handshake, as pollinate's curl makes: wrk's OpenSSL runs with a"
	echo "configuration that stops at TLS 1.2 (d20d's only version) and sends no"
	echo "session ticket extension, since wrk offers each connection's session to the"
	echo "next and pollen resumed TLS 1.3 sessions; nginx has ssl_session_cache off and"
	echo "ssl_session_tickets off; d20d keeps no session cache; s_client checks that no"
	echo "server resumes. The targets are issue 13's, at 16 and 64 connections."
	echo
	cat "$tmp/server.md"
	echo
	echo "## TLS key separation"
	echo
	echo "d20d keeps its TLS key in one signer process, which makes the one signature of"
	echo "each handshake for the workers (d20d(8), SANDBOX); the same source built with"
	echo "-DD20D_KEY_IN_WORKER signs in each worker instead, as d20d did before. Both"
	echo "serve the same certificates at once; wrk makes one full handshake per request."
	echo
	cat "$tmp/tls.md"
	echo
	echo "## Handshake arithmetic"
	echo
	echo "Where an HTTPS handshake's time goes on the server: the public-key operations"
	echo "of TLS 1.2 ECDHE-ECDSA as d20d links them, beside openssl speed in the same"
	echo "run: X25519 from x25519.c and the ECDSA P-256 signature from p256.c (64-bit"
	echo "limbs), BearSSL's own of each beside them, and Debian's BearSSL 0.6 for the"
	echo "P-256 key exchange (its m31 code; it has no 64-bit curve code)."
	echo
	cat "$tmp/ec.md"
	echo
	echo "## Client"
	echo
	echo "One exchange with a local d20d, hyperfine $RUNS runs each. CPU: user+sys of the"
	echo "whole process tree. Processes: the first, plus every fork, vfork or clone that"
	echo "is not a thread, counted with strace -f on one exchange; programs: successful"
	echo "execve calls. Peak RSS: GNU time, the largest single process of the tree."
	echo
	cat "$tmp/client.md"
	echo
	echo "## Sizes"
	echo
	echo "| binary | bytes | ratio |"
	echo "| --- | ---: | --- |"
	echo "| d20, TLS=1 (static, musl, BearSSL, stripped) | $d20_1 | |"
	echo "| d20, TLS=0 | $d20_0 | |"
	echo "| pollinate (shell script alone; it runs curl, sha512sum, awk...) | $poll | pollinate / d20 TLS=1: $(ratio "$poll" "$d20_1") |"
	echo "| d20d, TLS=1 (static, musl, BearSSL, stripped) | $d20d_1 | |"
	echo "| d20d, TLS=0 | $d20d_0 | |"
	echo "| pollen (Go, dynamically linked, not stripped) | $pollen | pollen / d20d TLS=1: $(ratio "$pollen" "$d20d_1") |"
	echo "| nginx (dynamically linked; its libraries not counted) | $nginx | nginx / d20d TLS=1: $(ratio "$nginx" "$d20d_1") |"
	echo
	echo "## Peak RSS"
	echo
	echo "Servers: VmHWM and Pss from /proc right after each of the server's runs, the most"
	echo "seen (every process counts the pages it shares with others, so sums of peaks"
	echo "overstate; Pss shares them out). d20d -i and the clients: GNU time, over their"
	echo "whole life."
	echo
	echo "| process | KiB | ratio |"
	echo "| --- | ---: | --- |"
	cat "$tmp/rss"
	echo
	echo "## Crypto"
	echo
	echo "SHA-512 and CTR_DRBG generate beside openssl speed (sha512, aes-256-ctr), best of"
	echo "$ROUNDS rounds each side, CPU time as openssl speed counts it. Small requests"
	echo "cost the DRBG its state update (a new AES key per call), which aes-256-ctr has not."
	echo
	cat "$tmp/crypto.md"
	echo
	echo "## Profile"
	echo
	echo "Where d20d's processes spend their CPU (make profile runs this alone; perf"
	echo "record -e cpu-clock, self time, wrk -c 16 for SECONDS_EACH each; the"
	echo "binary is the shipped objects linked with their symbols)."
	echo
	cat "$tmp/profile.md"
} >"$tmp/results.md"

cp "$tmp/results.png" bench/results.png
cp "$tmp/results.md" bench/results.md
cat bench/results.md

# The README's Benchmarks section: a pointer, the header and the tables.
if [ "${README_UPDATE:-1}" = 1 ] && [ -f README ]; then
	{
		echo "\`make bench\` runs every comparison below in one go (about 10 minutes on 2"
		echo "cores; SECONDS_EACH=2 ROUNDS=1 RUNS=20 for a quick look) and writes"
		echo "bench/results.md and the plot bench/results.png. Single parts: make"
		echo "bench-server (HTTP and HTTPS), bench-tls, bench-client, bench-crypto; where"
		echo "d20d spends its CPU: make profile. The figures move with the load of the"
		echo "machine; the latest run:"
		echo
		sed -e '1,2d' -e '/^- uptime at/d' -e 's/^## \(.*\)$/\1:/' bench/results.md
	} >"$tmp/section"
	awk -v section="$tmp/section" '
	{ line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			if (line[i] == "Benchmarks" && line[i + 1] ~ /^-+$/) {
				print line[i]; print line[i + 1]; print ""
				while ((getline l < section) > 0) print l
				print ""
				# skip the old body up to the next heading
				for (i += 2; i <= NR && !(line[i + 1] ~ /^(-+|=+)$/ && line[i] != ""); i++) ;
				i--
				continue
			}
			print line[i]
		}
	}' README >"$tmp/README"
	cmp -s README "$tmp/README" || cat "$tmp/README" >README
fi
