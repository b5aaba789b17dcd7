#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/server.sh [D20D] - d20d against Debian's pollen and nginx on
# loopback, with wrk: pollinate's request (POST / with a 128-hex
# challenge), one new connection per request (-H "Connection: close", as
# real clients do), over plain HTTP and over HTTPS (SCHEMES, "http https"),
# at each concurrency of LEVELS, the three servers taking turns (the order
# rotates each round), ROUNDS rounds of SECONDS_EACH seconds each; the
# median of the rounds is reported.
#
# HTTPS: the three serve the same ECDSA P-256 certificate, made by openssl
# at the start of the run, and every request pays a full handshake, as
# pollinate's curl does. wrk would resume: it ends each connection with
# SSL_shutdown and SSL_clear, which keeps the session for the next one, and
# pollen (Go) resumes TLS 1.3 sessions from its tickets. So wrk runs with
# an OpenSSL configuration of its own (OPENSSL_CONF) that stops it at TLS
# 1.2, d20d's only version, and sends no session ticket extension; nginx
# runs with ssl_session_cache off and ssl_session_tickets off, and d20d
# keeps no session cache. Before timing, openssl s_client with the same
# configuration tries to resume a session with each server and the run
# stops if one does. The protocol, cipher suite and key exchange each
# server chooses are printed with the table.
#
# pollen listens on every interface, so the whole run happens in a network
# namespace of its own (unshare -n) whose only interface is loopback; where
# that cannot be made, it runs in the machine's namespace and says so.
#
# nginx stands for the limit of connection-per-request HTTP on this
# machine: it returns a fixed 260-byte body (d20d's Pollen answer is 258
# bytes) from a config written to a temporary folder, in the foreground,
# one worker per core, on its own port, its listeners "deferred" as d20d's
# are (TCP_DEFER_ACCEPT: woken once a request is in); a system nginx,
# running or not, is neither used nor touched. All three servers log one line per request to
# the same syslog sink (/dev/log; this script provides a socket that reads
# and drops when there is none), nginx through access_log syslog:.
#
# Prints Markdown: requests/s with the ratios d20d/pollen and d20d/nginx
# beside the targets at 16 and 64 (issue 13: HTTP d20d >= 1.5x pollen and
# >= 0.9x nginx; HTTPS >= 1.0x pollen and >= 0.8x nginx), p99 latency,
# errors and the share of log lines that reached the sink (a server that
# drops lines when syslog falls behind does less work), and peak RSS. With DATA=FILE (DATA_TLS=FILE for HTTPS) it also
# writes one line per level for gnuplot: conc, req/s and p99 ms of d20d,
# pollen, nginx. With RSS_OUT=FILE the peak RSS rows go there instead of a
# table.
# wrk connects from 127.0.0.1 only, so d20d runs with -C 1024 (its
# per-address cap would otherwise answer 503 above 16 connections) and
# -c as large as the largest level. Not a test: numbers depend on the
# machine. Run as root (it binds /dev/log when missing, d20d drops to
# nobody, nginx's workers run as nobody).
set -u
cd "$(dirname "$0")/.." || exit 1
D20D=$(realpath "${1:-./d20d}")
netns="a network namespace of its own, loopback only"
if [ -z "${D20_BENCH_NETNS:-}" ]; then
	if unshare -n true 2>/dev/null; then
		# shellcheck disable=SC2016 # $1 is the inner shell's
		exec env D20_BENCH_NETNS=1 unshare -n sh -c 'ip link set lo up && exec sh bench/server.sh "$1"' \
			sh "$D20D"
	fi
	netns="the machine's namespace (unshare -n failed): pollen listens on every interface"
fi
SCHEMES=${SCHEMES:-"http https"}
SECONDS_EACH=${SECONDS_EACH:-5}
ROUNDS=${ROUNDS:-3}
LEVELS=${LEVELS:-"1 16 64 256"}
SERVERS="d20d pollen nginx"

for t in wrk pollen nginx python3 curl openssl; do
	command -v $t >/dev/null 2>&1 || { echo "bench: $t missing (make bench-server installs it)" >&2; exit 1; }
done
[ -x "$D20D" ] || { echo "bench: $D20D missing: run make first" >&2; exit 1; }
# Only the nginx binary is used. A package whose postinst could not start
# the system's nginx (port 80 taken, no init) is not "installed": say so.
case $(dpkg-query -W -f='${Status}' nginx-light 2>/dev/null) in
*" installed") ;;
*) echo "bench: note: nginx-light is not fully installed ($(dpkg-query -W -f='${Status}' nginx 2>/dev/null));" \
	"using $(command -v nginx) anyway" >&2 ;;
esac

maxc=1
for c in $LEVELS; do [ "$c" -gt "$maxc" ] && maxc=$c; done
# 256 connections need more descriptors than a default soft limit of 1024
# shellcheck disable=SC3045 # dash and bash have ulimit -n and -H
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

tmp=$(mktemp -d)
chmod 755 "$tmp"
mkdir -m 755 "$tmp/empty" "$tmp/nginx"
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	[ -n "${sink:-}" ] && rm -f /dev/log
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck source=tests/ports.sh
. tests/ports.sh

# pollen refuses to start without syslog: a sink that reads, counts the
# lines of each server (into sink.count, within a fifth of a second) and
# drops them. A server whose socket is full drops its line (nginx, d20d)
# or waits: the table says how many lines each one's runs delivered.
if [ ! -S /dev/log ]; then
	sink=1
	python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)  # nginx workers log as nobody
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
s.settimeout(0.2)
n, last, out = [0, 0, 0], 0.0, sys.argv[1]
sys.stdout.write("ready\n"); sys.stdout.flush()
while True:
    try:
        d = s.recv(8192)
        n[0 if d.startswith(b"<30>d20d[") else 2 if b"nginx:" in d else 1] += 1
    except socket.timeout:
        pass
    t = time.monotonic()
    if t - last > 0.2:
        with open(out + ".new", "w") as f:
            f.write("d20d %d\npollen %d\nnginx %d\n" % tuple(n))
        os.replace(out + ".new", out)
        last = t
' "$tmp/sink.count" >"$tmp/sink.out" 2>&1 &
	pids="$pids $!"
	i=0
	while [ "$i" -lt 50 ] && ! grep -q ready "$tmp/sink.out" 2>/dev/null; do
		sleep 0.1; i=$((i + 1))
	done
fi

# one ECDSA P-256 certificate for the three, valid for 127.0.0.1
openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/ec.key" 2>/dev/null
openssl req -x509 -new -key "$tmp/ec.key" -subj /CN=localhost -days 2 \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -out "$tmp/ec.pem" 2>/dev/null ||
	{ echo "bench: openssl failed" >&2; exit 1; }

# the clients' OpenSSL: TLS 1.2 at most, no session tickets (see above)
cat >"$tmp/openssl.cnf" <<EOF
openssl_conf = init
[init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = client
[client]
MaxProtocol = TLSv1.2
Options = -SessionTicket
EOF

pport=$(free_port)
psport=$(free_port)
pollen -http-port "$pport" -https-port "$psport" -cert "$tmp/ec.pem" -key "$tmp/ec.key" -device /dev/urandom \
	>"$tmp/pollen.log" 2>&1 &
ppid=$!
pids="$pids $ppid"

dport=$(free_port)
dsport=$(free_port)
"$D20D" -S -c "$maxc" -C 1024 -r "$tmp/empty" -l "127.0.0.1:$dport" -L "127.0.0.1:$dsport" \
	--cert "$tmp/ec.pem" --key "$tmp/ec.key" >"$tmp/d20d.log" 2>&1 &
dpid=$!
pids="$pids $dpid"

nport=$(free_port)
nsport=$(free_port)
n=$tmp/nginx
body=$(head -c 130 /dev/urandom | od -An -tx1 | tr -d ' \n')
cat >"$n/nginx.conf" <<EOF
daemon off;
master_process on;
worker_processes $(nproc);
pid $n/nginx.pid;
error_log $n/error.log warn;
events { worker_connections 4096; }
http {
	access_log syslog:server=unix:/dev/log,nohostname combined;
	client_body_temp_path $n/body;
	proxy_temp_path $n/proxy;
	fastcgi_temp_path $n/fastcgi;
	uwsgi_temp_path $n/uwsgi;
	scgi_temp_path $n/scgi;
	default_type text/plain;
	server {
		listen 127.0.0.1:$nport backlog=1024 deferred;
		location / { return 200 "$body"; }
	}
	server {
		listen 127.0.0.1:$nsport ssl backlog=1024 deferred;
		ssl_certificate $tmp/ec.pem;
		ssl_certificate_key $tmp/ec.key;
		ssl_session_cache off;
		ssl_session_tickets off;
		location / { return 200 "$body"; }
	}
}
EOF
nginx -p "$n" -e "$n/error.log" -c "$n/nginx.conf" >"$n/stdout" 2>&1 &
npid=$!
pids="$pids $npid"

challenge=$(head -c 64 /dev/urandom | sha512sum | cut -c1-128)
# url NAME SCHEME
url() { case $1.$2 in d20d.http) echo "http://127.0.0.1:$dport/" ;;
	d20d.https) echo "https://127.0.0.1:$dsport/" ;;
	pollen.http) echo "http://127.0.0.1:$pport/" ;; pollen.https) echo "https://127.0.0.1:$psport/" ;;
	nginx.http) echo "http://127.0.0.1:$nport/" ;; nginx.https) echo "https://127.0.0.1:$nsport/" ;; esac; }
# each server must answer pollinate's request with 200 before it is timed,
# over HTTPS with the certificate made above
for sc in $SCHEMES; do
	for s in $SERVERS; do
		i=0
		until [ "$(curl -s --cacert "$tmp/ec.pem" -o "$tmp/$s.body" -w '%{http_code}' \
			-d "challenge=$challenge" "$(url "$s" "$sc")")" = 200 ]; do
			i=$((i + 1))
			if [ "$i" -ge 50 ]; then
				echo "bench: $s does not answer on $(url "$s" "$sc"):" >&2
				cat "$tmp/$s.log" "$n/error.log" "$n/stdout" 2>/dev/null | tail -n 5 >&2
				exit 1
			fi
			sleep 0.1
		done
	done
	[ "$(wc -c <"$tmp/nginx.body")" -eq 260 ] || { echo "bench: nginx body is not 260 bytes" >&2; exit 1; }
done
# what each server chooses for OpenSSL's client (wrk links the same
# library, with the same configuration), and that none resumes a session
: >"$tmp/tlsinfo"
case " $SCHEMES " in *" https "*)
	for s in $SERVERS; do
		u=$(url "$s" https); hp=${u#https://}; hp=${hp%/}
		OPENSSL_CONF=$tmp/openssl.cnf openssl s_client -brief -connect "$hp" -CAfile "$tmp/ec.pem" \
			-sess_out "$tmp/sess.$s" </dev/null 2>&1 |
			awk -v s="$s" -F': ' '/^Protocol version/ { p = $2 } /^Ciphersuite/ { c = $2 }
			/^(Peer|Server) Temp Key/ { k = $2 }
			END { printf "%s %s, %s, %s; ", s, p, c, k }' >>"$tmp/tlsinfo"
		if [ -s "$tmp/sess.$s" ] && OPENSSL_CONF=$tmp/openssl.cnf openssl s_client -connect "$hp" \
			-CAfile "$tmp/ec.pem" -sess_in "$tmp/sess.$s" </dev/null 2>/dev/null | grep -q '^Reused'; then
			echo "bench: $s resumed a TLS session: the handshakes would not all be full" >&2
			exit 1
		fi
	done ;;
esac

cat >"$tmp/post.lua" <<EOF
wrk.method = "POST"
wrk.body = "challenge=$challenge"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
EOF

# Memory of each server's process tree, taken right after each of its runs
# (a pool grows with the load and shrinks when idle, and a worker that has
# exited takes its VmHWM with it): peak RSS (VmHWM) of each process, and
# Pss, which shares out the pages that processes have in common (a static
# binary's code, fork's copies). The most seen over all runs is reported.
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
pss() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup" 2>/dev/null; }
children() { awk -v p="$1" '{ sub(/.*\) /, ""); if ($2 == p) { f = FILENAME; sub(/\/stat$/, "", f);
	sub(/.*\//, "", f); print f } }' /proc/[0-9]*/stat 2>/dev/null; }
# tree PID: "parent_hwm n_children max_child_hwm sum_hwm sum_pss"
tree() {
	ph=$(hwm "$1"); pp=$(pss "$1")
	for k in $(children "$1"); do echo "$(hwm "$k") $(pss "$k")"; done |
		awk -v ph="${ph:-0}" -v pp="${pp:-0}" '$1 { n++; s += $1; sp += $2; if ($1 > m) m = $1 }
		END { printf "%d %d %d %d %d\n", ph, n, m, ph + s, pp + sp }'
}
# with daemon off, $npid is nginx's master itself
pid() { case $1 in d20d) echo "$dpid" ;; pollen) echo "$ppid" ;; nginx) echo "$npid" ;; esac; }
# mem NAME: the most of each column over NAME's snapshots
mem() { awk '{ for (i = 1; i <= NF; i++) if ($i > m[i]) m[i] = $i }
	END { printf "%d %d %d %d %d\n", m[1], m[2], m[3], m[4], m[5] }' "$tmp/mem.$1"; }

# logged NAME: the lines the sink has counted for NAME so far
logged() { awk -v s="$1" '$1 == s { print $2 }' "$tmp/sink.count" 2>/dev/null; }

# run NAME CONC SCHEME: one wrk run, appends "NAME CONC rps p99ms errors
# requests lines" to results.SCHEME (lines: what the sink counted for
# NAME meanwhile, -1 with a syslog not ours)
run() {
	threads=2
	[ "$2" -lt 2 ] && threads=1
	lines=-1
	[ -n "${sink:-}" ] && lines=$(logged "$1")
	OPENSSL_CONF=$tmp/openssl.cnf timeout $((SECONDS_EACH + 30)) wrk -t "$threads" -c "$2" \
		-d "${SECONDS_EACH}s" --timeout 5s --latency -s "$tmp/post.lua" -H "Connection: close" \
		"$(url "$1" "$3")" >"$tmp/wrk.out" 2>&1
	awk -v name="$1" -v c="$2" '
	/Requests\/sec:/ { rps = $2 }
	/^ +99%/ { v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u);
		p99 = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : (u == "m") ? v * 60000 : v }
	/Socket errors:/ { gsub(/,/, ""); err += $4 + $6 + $8 + $10 }
	/Non-2xx/ { err += $NF }
	/ requests in / { reqs = $1 }
	END { printf "%s %s %s %s %d %d", name, c, rps + 0, p99 + 0, err, reqs }' "$tmp/wrk.out" >>"$tmp/results.$3"
	if [ -n "${sink:-}" ]; then
		sleep 0.5	# the last lines, and the sink's next count
		lines=$(($(logged "$1") - lines))
	fi
	echo " $lines" >>"$tmp/results.$3"
	tree "$(pid "$1")" >>"$tmp/mem.$1"
}

for sc in $SCHEMES; do : >"$tmp/results.$sc"; done
r=1
order=$SERVERS
while [ "$r" -le "$ROUNDS" ]; do
	for sc in $SCHEMES; do
		for c in $LEVELS; do
			for s in $order; do run "$s" "$c" "$sc"; done
		done
	done
	# rotate, so that no server always runs right after the same one
	order="${order#* } ${order%% *}"
	r=$((r + 1))
done

# shellcheck disable=SC2046 # split into fields on purpose
set -- $(mem d20d); d_par=$1 d_n=$2 d_max=$3 d_sum=$4 d_pss=$5
# shellcheck disable=SC2046
set -- $(mem nginx); n_par=$1 n_n=$2 n_max=$3 n_sum=$4 n_pss=$5
# shellcheck disable=SC2046
set -- $(mem pollen); p_par=$1 p_pss=$5
# -i: one process's whole life answering one request
d_i=$(printf 'POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 138\r\n\r\nchallenge=%s' "$challenge" |
	/usr/bin/time -f %M "$D20D" -i -r "$tmp/empty" -q 2>&1 >/dev/null | tail -n 1)

# levels SCHEME: the median of the rounds for each server and level, one
# line per level, in levels.SCHEME
levels() {
	awk -v servers="$SERVERS" '
	{ k = $1 " " $2; n[k]++; rps[k, n[k]] = $3; p99[k, n[k]] = $4; err[k] += $5
	  reqs[k] += $6; lines[k] = ($7 < 0 || lines[k] < 0) ? -1 : lines[k] + $7
	  if (!seen[$2]++) lv[++m] = $2 }
	function median(a, k,    i, j, t, v, c) {
		c = n[k]
		for (i = 1; i <= c; i++) v[i] = a[k, i]
		for (i = 2; i <= c; i++) for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		return c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2
	}
	END {
		ns = split(servers, s, " ")
		for (i = 1; i <= m; i++) {
			line = lv[i]
			for (j = 1; j <= ns; j++) line = line " " median(rps, s[j] " " lv[i])
			for (j = 1; j <= ns; j++) line = line " " median(p99, s[j] " " lv[i])
			for (j = 1; j <= ns; j++) line = line " " err[s[j] " " lv[i]] + 0
			for (j = 1; j <= ns; j++) { k = s[j] " " lv[i]
				line = line " " (lines[k] < 0 || !reqs[k] ? -1 : 100 * lines[k] / reqs[k]) }
			print line
		}
	}' "$tmp/results.$1" >"$tmp/levels.$1"
}

# table SCHEME TITLE POLLEN_TARGET NGINX_TARGET
table() {
	echo "$2, requests/s, POST / as pollinate sends it, Connection: close, median of $ROUNDS rounds of ${SECONDS_EACH}s:"
	echo
	echo "| concurrency | d20d | pollen | nginx (fixed body) | d20d / pollen | target | d20d / nginx | target |"
	echo "| ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |"
	awk -v tp="$3" -v tn="$4" '
	function verdict(r, t, c) {
		if (c != 16 && c != 64) return "-"
		return sprintf(">= %.1fx: %s", t, r >= t ? "met" : "NOT met")
	}
	{ rp = $3 > 0 ? $2 / $3 : 0; rn = $4 > 0 ? $2 / $4 : 0
	  printf "| %d | %.0f | %.0f | %.0f | %.2fx | %s | %.2fx | %s |\n", $1, $2, $3, $4,
		rp, verdict(rp, tp, $1), rn, verdict(rn, tn, $1) }' "$tmp/levels.$1"
	echo
	echo "$2, p99 latency (ms), errors (socket errors and non-2xx) and the log lines that reached syslog (per 100 requests), all rounds:"
	echo
	echo "| concurrency | d20d p99 | pollen p99 | nginx p99 | d20d errors | pollen errors | nginx errors | d20d log lines | pollen log lines | nginx log lines |"
	echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	awk 'function pc(v) { return v < 0 ? "-" : sprintf("%.0f", v) }
	{ printf "| %d | %.2f | %.2f | %.2f | %d | %d | %d | %s | %s | %s |\n", $1, $5, $6, $7, $8, $9, $10,
		pc($11), pc($12), pc($13) }' "$tmp/levels.$1"
}

echo "Run in $netns."
for sc in $SCHEMES; do
	levels "$sc"
	echo
	case $sc in
	http)
		[ -n "${DATA:-}" ] && cut -d' ' -f1-7 "$tmp/levels.http" >"$DATA"
		table http "HTTP" 1.5 0.9 ;;
	https)
		[ -n "${DATA_TLS:-}" ] && cut -d' ' -f1-7 "$tmp/levels.https" >"$DATA_TLS"
		table https "HTTPS (a full TLS 1.2 handshake per request, ECDSA P-256)" 1.0 0.8
		echo
		echo "Negotiated with wrk's OpenSSL (TLS 1.2 at most, no tickets; none resumed a session):" \
			"$(sed 's/; $//' "$tmp/tlsinfo")." ;;
	esac
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", a / b }'; }
{
	echo "| d20d parent (server) | $d_par | |"
	echo "| d20d largest pool worker, of up to $d_n (server) | $d_max | |"
	echo "| d20d parent + $d_n workers, sum of peaks (server) | $d_sum | |"
	echo "| d20d parent + $d_n workers, sum of Pss after a run (server) | $d_pss | |"
	echo "| d20d -i, one request, whole life (server) | ${d_i:-?} | |"
	echo "| pollen, peak (server) | $p_par | pollen / d20d sum of peaks: $(ratio "$p_par" "$d_sum") |"
	echo "| pollen, Pss after a run (server) | $p_pss | pollen / d20d sum of Pss: $(ratio "$p_pss" "$d_pss") |"
	echo "| nginx master (server) | $n_par | |"
	echo "| nginx largest worker, of $n_n (server) | $n_max | |"
	echo "| nginx master + $n_n workers, sum of peaks (server) | $n_sum | nginx / d20d sum of peaks: $(ratio "$n_sum" "$d_sum") |"
	echo "| nginx master + $n_n workers, sum of Pss after a run (server) | $n_pss | nginx / d20d sum of Pss: $(ratio "$n_pss" "$d_pss") |"
} >"$tmp/rss"
if [ -n "${RSS_OUT:-}" ]; then
	cat "$tmp/rss" >>"$RSS_OUT"
else
	echo
	echo "| process | KiB | ratio |"
	echo "| --- | ---: | --- |"
	cat "$tmp/rss"
fi
