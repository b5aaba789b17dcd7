#!/bin/sh
# bench/server.sh [D20D] - d20d against Debian's pollen on loopback, with
# wrk: pollinate's request (POST / with a 128-hex challenge), one new
# connection per request (-H "Connection: close", as real clients do),
# concurrency 1, 16 and 64, the two servers alternating, ROUNDS rounds of
# SECONDS each. Both servers log every request to the same syslog sink (a
# socket at /dev/log that this script provides when there is none).
# Prints requests/s, p99 latency, errors, the ratios, and peak RSS (d20d's
# parent, its largest pool worker, d20d -i for one request, pollen).
# wrk connects from 127.0.0.1 only, so d20d runs with -C 1024 (its
# per-address cap would otherwise answer 503 above 16 connections).
# Not a test: numbers depend on the machine. Run as root (it binds
# /dev/log when missing and d20d drops to nobody).
set -u
cd "$(dirname "$0")/.." || exit 1
D20D=$(realpath "${1:-./d20d}")
SECONDS_EACH=${SECONDS_EACH:-5}
ROUNDS=${ROUNDS:-2}
LEVELS=${LEVELS:-"1 16 64"}

for t in wrk pollen python3; do
	command -v $t >/dev/null 2>&1 || { echo "bench: $t missing (make bench-server installs it)" >&2; exit 1; }
done
[ -x "$D20D" ] || { echo "bench: $D20D missing: run make first" >&2; exit 1; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir -m 755 "$tmp/empty"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${sink:-}" ] && rm -f /dev/log
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pollen refuses to start without syslog: a sink that reads and drops
if [ ! -S /dev/log ]; then
	sink=1
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
sys.stdout.write("ready\n"); sys.stdout.flush()
while True:
    s.recv(8192)
' >"$tmp/sink.out" 2>&1 &
	pids="$pids $!"
	i=0
	while [ "$i" -lt 50 ] && ! grep -q ready "$tmp/sink.out" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
fi

pport=$(free_port)
pollen -http-port "$pport" -https-port "$(free_port)" -device /dev/urandom \
	>"$tmp/pollen.log" 2>&1 &
ppid=$!
pids="$pids $ppid"
dport=$(free_port)
"$D20D" -S -C 1024 -r "$tmp/empty" -l "127.0.0.1:$dport" >"$tmp/d20d.log" 2>&1 &
dpid=$!
pids="$pids $dpid"
i=0
while [ "$i" -lt 50 ]; do
	curl -s -o /dev/null "http://127.0.0.1:$pport/?challenge=x" &&
	    curl -s -o /dev/null "http://127.0.0.1:$dport/api/status" && break
	sleep 0.1; i=$((i + 1))
done

challenge=$(head -c 64 /dev/urandom | sha512sum | cut -c1-128)
cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "challenge=$challenge"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
EOF

# run NAME PORT CONC: one wrk run, appends "NAME CONC rps p99ms errors"
run() {
	threads=2
	[ "$3" -lt 2 ] && threads=1
	wrk -t "$threads" -c "$3" -d "${SECONDS_EACH}s" --latency -s "$tmp/post.lua" \
		-H "Connection: close" "http://127.0.0.1:$2/" >"$tmp/wrk.out" 2>&1
	awk -v name="$1" -v c="$3" '
	/Requests\/sec:/ { rps = $2 }
	/^ +99%/ { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
		p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
	/Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
	/Non-2xx/ { err += $NF }
	END { printf "%s %s %s %s %d\n", name, c, rps, p99, err }' "$tmp/wrk.out" >>"$tmp/results"
}

: >"$tmp/results"
r=1
while [ "$r" -le "$ROUNDS" ]; do
	for c in $LEVELS; do
		run d20d "$dport" "$c"
		run pollen "$pport" "$c"
	done
	r=$((r + 1))
done

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
d20d_parent=$(hwm "$dpid")
pollen_rss=$(hwm "$ppid")
# the pool's workers, each after many connections: the largest, and how many
workers=$(awk -v p="$dpid" '{ sub(/.*\) /, ""); if ($2 == p) print FILENAME }' /proc/[0-9]*/stat 2>/dev/null |
	sed 's,/stat$,/status,' | xargs -r awk '/VmHWM/ { n++; if ($2 > m) m = $2 } END { if (n) print m, n }')
# -i: one process's whole life answering one request
child=$(printf 'POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 138\r\n\r\nchallenge=%s' "$challenge" |
	/usr/bin/time -f %M "$D20D" -i -r "$tmp/empty" -q 2>&1 >/dev/null | tail -n 1)

echo "d20d vs pollen, POST / (pollinate's request), Connection: close, $ROUNDS x ${SECONDS_EACH}s each, mean of rounds"
echo
awk '
{ k = $1 " " $2; rps[k] += $3; p99[k] += $4; err[k] += $5; n[k]++; if (!seen[$2]++) lv[++m] = $2 }
END {
	printf "%5s  %12s %12s %7s   %10s %10s   %7s %7s\n", "conc", "d20d req/s", "pollen req/s",
		"ratio", "d20d p99", "pollen p99", "d20d err", "pollen err"
	for (i = 1; i <= m; i++) {
		c = lv[i]; d = "d20d " c; p = "pollen " c
		dr = rps[d] / n[d]; pr = rps[p] / n[p]
		printf "%5s  %12.0f %12.0f %6.2fx   %8.2fms %8.2fms   %7d %7d\n", c, dr, pr,
			(pr > 0 ? dr / pr : 0), p99[d] / n[d], p99[p] / n[p], err[d], err[p]
	}
}' "$tmp/results"
echo
printf 'peak RSS: d20d parent %s KiB, largest d20d worker %s KiB (of %s), d20d -i %s KiB, pollen %s KiB\n' \
	"${d20d_parent:-?}" "${workers%% *}" "${workers:+${workers#* }}" "${child:-?}" "${pollen_rss:-?}"
printf 'static d20d: %s bytes\n' "$(wc -c <"$D20D")"
