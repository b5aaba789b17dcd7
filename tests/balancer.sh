#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/balancer.sh - d20d behind the real HAProxy (Debian's haproxy,
# installed by tools/deps.sh) with dist/haproxy.cfg, the README's recipe,
# as it is but for its addresses and ports (all on 127.0.0.1), run twice:
# with send-proxy-v2 as written, then with send-proxy (PROXY protocol v1).
# Three d20d (-C 2, --proxy-from 127.0.0.1/32) answer behind it; clients
# come from their own loopback addresses (127.0.0.2 and up), so the logs
# and the -C cap show whether d20d saw the client or the balancer:
# verified answers (curl, d20 over http and https with a pin, a verifier),
# the client's address in d20d's logs, the cap through the balancer, PROXY
# headers sent to a d20d directly from an untrusted address and malformed
# from the trusted one, and one d20d SIGKILLed (with its workers) under a
# steady load: no request lost but those in flight at the kill.
# Every wait is bounded; haproxy and the d20d are killed at the end.
cd "$(dirname "$0")/.." || exit 1

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
# check DESCRIPTION CMD...: ok when CMD succeeds.
check() { _d=$1; shift; if "$@"; then ok "$_d"; else notok "$_d"; fi; }

# running PID: not gone, and not a zombie.
running()
{
	[ -r "/proc/$1/stat" ] && ! sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | grep -q '^Z'
}

# stop PID...: SIGTERM (timeout passes it on to haproxy; d20d retires its
# workers), SIGKILL for what still runs 5 s later, and reaped.
stop()
{
	for _p in "$@"; do kill "$_p" 2>/dev/null; done
	_i=0
	for _p in "$@"; do
		while running "$_p" && [ $_i -lt 50 ]; do sleep 0.1; _i=$((_i + 1)); done
		kill -9 "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
}

tmp=$(mktemp -d /tmp/d20-balancer.XXXXXX) || exit 1
pids=
trap 'stop $pids; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

if ! command -v haproxy >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ]; then sh tools/deps.sh check >/dev/null 2>&1; fi
fi
command -v haproxy >/dev/null 2>&1 || { notok "haproxy is installed (sh tools/deps.sh check)"; exit 1; }

# free_ports N: N distinct TCP ports on 127.0.0.1 that nothing listens on
# now (held together while chosen, so no two are the same).
free_ports()
{
	python3 -c 'import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))' "$1"
}

# wait_for N SECONDS CMD...: until CMD succeeds, N tries SECONDS apart.
wait_for()
{
	_n=$1 _s=$2
	shift 2
	while [ "$_n" -gt 0 ]; do
		"$@" && return 0
		_n=$((_n - 1))
		sleep "$_s"
	done
	return 1
}

# logged PATTERN FILE...: a d20d logged it, within 5 s (a worker logs
# once its answer is out, so a client can be done first).
logged() { wait_for 50 0.1 grep -q "$@"; }

# seen N PATTERN: N lines match in the three d20d logs, within 5 s.
seen() { wait_for 50 0.1 test "$(cat "$tmp"/[123].log | grep -c "$2")" -ge "$1"; }

client="python3 tests/balancer_client.py"

tls=0
./d20d --tls 2>&1 | grep -q "without TLS" || tls=1
if [ "$tls" = 1 ]; then
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj /CN=d20d -keyout "$tmp/key.pem" -out "$tmp/cert.pem" >/dev/null 2>&1
	pin=sha256//$(openssl x509 -in "$tmp/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
fi

# shellcheck disable=SC2046
set -- $(free_ports 8)
fh=$1 fs=$2 h1=$3 h2=$4 h3=$5 s1=$6 s2=$7 s3=$8

# start_d20d N: the Nth d20d, its pid in d20d_N, its log $tmp/N.log.
start_d20d()
{
	case $1 in
	1) _h=$h1 _s=$s1 ;;
	2) _h=$h2 _s=$s2 ;;
	*) _h=$h3 _s=$s3 ;;
	esac
	set -- "$1" -l "127.0.0.1:$_h" --proxy-from 127.0.0.1/32 -C 2 -t 10
	if [ "$tls" = 1 ]; then
		set -- "$@" -L "127.0.0.1:$_s" --cert "$tmp/cert.pem" --key "$tmp/key.pem"
	fi
	_n=$1
	shift
	./d20d "$@" 2>>"$tmp/$_n.log" &
	eval "d20d_$_n=$!"
	pids="$pids $!"
}

# health_seen N: the Nth d20d answered two of the balancer's checks
# since its log was last cleared.
health_seen()
{
	[ "$(grep -c 'GET /api/status 200' "$tmp/$1.log")" -ge 2 ]
}

# config VERSION: dist/haproxy.cfg on loopback, send-proxy for version 1.
config()
{
	sed -e "s/^\(	bind \):27184\$/\\1127.0.0.1:$fh/" \
	    -e "s/^\(	bind \):443\$/\\1127.0.0.1:$fs/" \
	    -e "s/192\.0\.2\.11:27184/127.0.0.1:$h1/" -e "s/192\.0\.2\.12:27184/127.0.0.1:$h2/" \
	    -e "s/192\.0\.2\.13:27184/127.0.0.1:$h3/" -e "s/192\.0\.2\.11:443/127.0.0.1:$s1/" \
	    -e "s/192\.0\.2\.12:443/127.0.0.1:$s2/" -e "s/192\.0\.2\.13:443/127.0.0.1:$s3/" \
	    dist/haproxy.cfg > "$tmp/haproxy.cfg"
	if [ "$1" = 1 ]; then
		sed -i '/^[^#]/s/send-proxy-v2/send-proxy/' "$tmp/haproxy.cfg"
	fi
}

# run VERSION: one pass, every check, with the PROXY protocol VERSION.
run()
{
	v=$1
	: > "$tmp/1.log"; : > "$tmp/2.log"; : > "$tmp/3.log"
	for n in 1 2 3; do start_d20d $n; done
	config "$v"
	# what changed: the 2 binds and 6 servers (and 2 send-proxy lines)
	changed=$(diff dist/haproxy.cfg "$tmp/haproxy.cfg" | grep -c '^>')
	check "v$v: the test's haproxy.cfg is dist/haproxy.cfg but for $changed lines of addresses, ports${v#2}" \
		[ "$changed" = "$((v == 2 ? 8 : 10))" ]
	grep -q "bind 127.0.0.1:$fh\$" "$tmp/haproxy.cfg" && ! grep -q '192\.0\.2\.1[1-3]' "$tmp/haproxy.cfg"
	check "v$v: haproxy binds 127.0.0.1 only and reaches the servers there" [ $? = 0 ]
	haproxy -c -q -f "$tmp/haproxy.cfg" >"$tmp/haproxy-c.log" 2>&1
	check "v$v: haproxy -c accepts it" [ $? = 0 ]
	# in the foreground (-db), for 300 s at most
	timeout 300 haproxy -db -f "$tmp/haproxy.cfg" >"$tmp/haproxy-v$v.log" 2>&1 &
	tpid=$!
	pids="$pids $tpid"
	wait_for 100 0.1 health_seen 1 && wait_for 50 0.1 health_seen 2 && wait_for 50 0.1 health_seen 3
	check "v$v: haproxy's checks (GET /api/status through the PROXY protocol) reach all three" [ $? = 0 ]

	# verified answers, and the client's address in the logs
	c=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	curl -s --max-time 10 --interface 127.0.0.2 -o "$tmp/c.json" \
		"http://127.0.0.1:$fh/api/entropy?challenge=$c"
	python3 -c 'import hashlib, json, sys; j = json.load(open(sys.argv[1]))
sys.exit(j["challengeResponse"] != hashlib.sha512((sys.argv[2] + j["time"]).encode()).hexdigest())' \
		"$tmp/c.json" "$c" 2>/dev/null
	check "v$v: curl from 127.0.0.2 through haproxy: a verified D20 answer" [ $? = 0 ]
	logged ' 127\.0\.0\.2 via 127\.0\.0\.1 GET /api/entropy 200 ' "$tmp"/[123].log
	check "v$v: d20d logs the client, 127.0.0.2, via the balancer, 127.0.0.1" [ $? = 0 ]
	out=$($client ask 127.0.0.3 127.0.0.1 "$fh" 30)
	check "v$v: 30 verified answers for 127.0.0.3 through haproxy${out:+ ($out)}" [ -z "$out" ]
	seen 30 ' 127\.0\.0\.3 via 127\.0\.0\.1 GET /api/entropy 200 '
	n1=$(grep -c ' 127\.0\.0\.3 via 127\.0\.0\.1 GET /api/entropy 200 ' "$tmp/1.log")
	n2=$(grep -c ' 127\.0\.0\.3 via 127\.0\.0\.1 GET /api/entropy 200 ' "$tmp/2.log")
	n3=$(grep -c ' 127\.0\.0\.3 via 127\.0\.0\.1 GET /api/entropy 200 ' "$tmp/3.log")
	[ $((n1 + n2 + n3)) = 30 ] && [ "$n1" -gt 0 ] && [ "$n2" -gt 0 ] && [ "$n3" -gt 0 ]
	check "v$v: all 30 logged as 127.0.0.3 via 127.0.0.1, spread over the three ($n1, $n2, $n3)" [ $? = 0 ]
	! grep 'Z 127\.0\.0\.[23] ' "$tmp"/[123].log | grep -qv ' via 127\.0\.0\.1 '
	check "v$v: no d20d saw 127.0.0.2 or 127.0.0.3 as its TCP peer" [ $? = 0 ]
	./d20 -v -o /dev/null "http://127.0.0.1:$fh/" >"$tmp/d20.log" 2>&1
	check "v$v: d20 -v through haproxy over http: verified" grep -q 'verified, d20 over http,' "$tmp/d20.log"
	if [ "$tls" = 1 ]; then
		./d20 -v -o /dev/null --pin "$pin" "https://127.0.0.1:$fs/" >"$tmp/d20.log" 2>&1
		check "v$v: d20 -v through haproxy over https, the servers' key pinned: verified (PROXY before TLS)" \
			grep -q 'verified, d20 over https+pin' "$tmp/d20.log"
		out=$(curl -sSk --max-time 10 --interface 127.0.0.4 "https://127.0.0.1:$fs/api/status" 2>&1)
		echo "$out" | grep -q '"status":"ok"' &&
			logged ' 127\.0\.0\.4 via 127\.0\.0\.1 GET /api/status 200 ' "$tmp"/[123].log
		check "v$v: curl from 127.0.0.4 over https through haproxy: answered, logged as 127.0.0.4 via 127.0.0.1${out:+ ($out)}" [ $? = 0 ]
	fi

	# -C 2 on each of three: six stalled connections from 127.0.0.6 take
	# two places on each; the seventh is refused, 127.0.0.7 is not
	out=$($client cap 127.0.0.6 127.0.0.7 127.0.0.1 "$fh" 6)
	echo "$out" | sed 's/^/# /'
	check "v$v: -C 2 through haproxy: a 7th connection from 127.0.0.6 gets 503" \
		[ "$(echo "$out" | sed -n 's/^extra=//p')" = "HTTP/1.0_503_Service_Unavailable" ]
	check "v$v: ... while 127.0.0.7 is served" \
		[ "$(echo "$out" | sed -n 's/^other=//p')" = "HTTP/1.0_200_OK" ]
	check "v$v: ... and the six stalled ones finish with 200" \
		[ "$(echo "$out" | sed -n 's/^stalled=//p')" = "$(echo 1 2 3 4 5 6 | sed 's/[0-9]/HTTP\/1.0_200_OK/g; s/ /,/g')" ]
	logged ' 127\.0\.0\.6 via 127\.0\.0\.1 - - 503 ' "$tmp"/[123].log
	check "v$v: ... the 503 logged for 127.0.0.6 via 127.0.0.1" [ $? = 0 ]

	# PROXY headers straight to a d20d
	for kind in v1 v2; do
		st=$($client raw 127.0.0.5 127.0.0.1 "$h1" $kind)
		check "v$v: a $kind PROXY header from 127.0.0.5 (not trusted) is a bad request: $st" \
			[ "$st" = "HTTP/1.0 400 Bad Request" ]
	done
	seen 2 'Z 127\.0\.0\.5 .* 400 '
	check "v$v: ... logged as 400s from 127.0.0.5" \
		[ "$(grep -c 'Z 127\.0\.0\.5 .* 400 ' "$tmp/1.log")" = 2 ]
	st=$($client raw 127.0.0.1 127.0.0.1 "$h1" bad)
	check "v$v: a malformed PROXY header from the balancer's address is refused: $st" [ "$st" = closed ]
	check "v$v: ... with a log line" logged 'Z 127\.0\.0\.1 bad PROXY header: closed' "$tmp/1.log"

	# one d20d SIGKILLed, its workers too, under a steady load
	out=$($client load 127.0.0.8,127.0.0.9,127.0.0.10,127.0.0.11 127.0.0.1 "$fh" 2000 4 5 500 "$(eval echo \$d20d_3)")
	rc=$?
	echo "$out" | sed 's/^/# /'
	figures=$(echo "$out" | head -n 1)
	check "v$v: d20d 3 killed under load: no request lost but those in flight ($figures)" [ $rc = 0 ]
	after=$(grep -c 'via 127\.0\.0\.1 GET /api/entropy 200' "$tmp/1.log" "$tmp/2.log" | awk -F: '{ s += $2 } END { print s }')
	check "v$v: ... the other two answered the rest" [ "$after" -ge 1500 ]
	# (what haproxy saw meanwhile, for the record: the refused connections
	# were redispatched until its checks marked the server down)
	grep -h 'd20d-http/c is' "$tmp/haproxy-v$v.log" | sed 's/^/# haproxy: /'

	hpid=$(pgrep -P "$tpid" haproxy)
	# shellcheck disable=SC2086 # a list of pids
	stop $pids
	pids=
	! running "$hpid" && ! running "$(eval echo \$d20d_1)" && ! running "$(eval echo \$d20d_2)"
	check "v$v: haproxy and the d20d have stopped" [ $? = 0 ]
	for n in 1 2 3; do sed "s/^/# v$v d20d $n: /" "$tmp/$n.log" | tail -n 3; done
}

run 2
run 1

# d20d -i behind a balancer (inetd's way): the header read, no cap to keep
for kind in v1 v2; do
	out=$($client inetd ./d20d $kind)
	echo "$out" | sed 's/^/# /'
	echo "$out" | head -n 1 | grep -q '^HTTP/1.0 200 OK' &&
		echo "$out" | grep -q 'Z 192\.0\.2\.7 via 127\.0\.0\.1 GET /api/status 200 '
	check "d20d -i --proxy-from: a $kind header from 127.0.0.1, answered and logged as 192.0.2.7 via 127.0.0.1" [ $? = 0 ]
done
out=$($client inetd ./d20d bad)
echo "$out" | sed 's/^/# /'
[ "$(echo "$out" | head -n 1)" = closed ] && echo "$out" | grep -q 'Z 127\.0\.0\.1 bad PROXY header: closed'
check "d20d -i --proxy-from: a malformed header is refused with a log line" [ $? = 0 ]
