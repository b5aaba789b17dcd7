#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_proxy.sh - d20 through HTTP proxies on loopback: Debian's
# tinyproxy (run here in the foreground with its own configuration, never
# as a service) in front of d20d, over http and over https with a pin or
# a CA, curl's environment rules, no_proxy and --proxy; and hostile
# proxies (tests/hostile_proxy.py) that refuse, stall, overflow, babble or
# lie: each fails its server with a reason naming the proxy, within the
# deadline, while a server asked directly still verifies.
# shellcheck disable=SC2086 # $D20 and $T are word lists by design
. "$(dirname "$0")/client_lib.sh"

# Only what each case sets: none of the caller's proxies.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY all_proxy ALL_PROXY

start_test_server
dead=$(free_port)
H=http://127.0.0.1:$hp/
if [ "$tls" = 1 ]; then
	pin=$(cat "$work/pin")
	S=https://127.0.0.1:$sp/
	T="--pin $pin $S"		# the server a proxy is tried with
	scheme=https
else
	echo "# d20 built without TLS: proxied servers are http ones"
	start_d20d "$sp"
	T=http://127.0.0.1:$sp/
	scheme=http
fi
# A second plain server, on a port tinyproxy is not told to allow.
xp=$(free_port)
start_d20d "$xp"
# localhost, when /etc/hosts names it: the proxy resolves it, d20 checks it.
lh=0
grep -q '^127\.0\.0\.1[[:space:]].*localhost' /etc/hosts 2>/dev/null && lh=1

# run OUT ARGS...: d20 -v with ARGS (env assignments first, then d20's),
# its output in OUT, shown; sets rc and el (milliseconds).
run() {
	_out=$1
	shift
	_t0=$(ms)
	env "$@" >"$_out" 2>&1
	rc=$?
	el=$(($(ms) - _t0))
	sed 's/^/# /' "$_out"
}

# ---- tinyproxy ----

tp=$(free_port)
if command -v tinyproxy >/dev/null 2>&1; then
	mkdir -p "$work/tp" && chmod 755 "$work" "$work/tp"
	: >"$work/tp/log" && chmod 666 "$work/tp/log"
	# What a proxy must allow: CONNECT to each server's port (squid:
	# SSL_ports; tinyproxy: ConnectPort), from d20's address.
	cat >"$work/tp/conf" <<-EOF
	User nobody
	Group nogroup
	Port $tp
	Listen 127.0.0.1
	Timeout 10
	MaxClients 20
	Allow 127.0.0.1
	ConnectPort $hp
	ConnectPort $sp
	LogFile "$work/tp/log"
	LogLevel Info
	EOF
	timeout 300 tinyproxy -d -c "$work/tp/conf" >"$work/tp/out" 2>&1 &
	pids="$pids $!"
	if wait_port "$tp" 50; then
		ok "tinyproxy listens on 127.0.0.1:$tp"
	else
		nok "tinyproxy listens on 127.0.0.1:$tp"
		sed 's/^/# /' "$work/tp/out"
	fi
else
	nok "tinyproxy is installed (tools/deps.sh check)"
fi
P=http://127.0.0.1:$tp

run "$work/out" http_proxy=$P $D20 -v -o /dev/null "$H"
check "http through tinyproxy: verified" sh -c "[ $rc = 0 ] &&
	grep -q 'verified, d20 over http through the proxy 127.0.0.1:$tp,' '$work/out'"
check "... tinyproxy was asked to CONNECT to 127.0.0.1:$hp" \
	grep -q "CONNECT 127.0.0.1:$hp " "$work/tp/log"
if [ "$tls" = 1 ]; then
	run "$work/out" https_proxy=$P/ $D20 -v --pin "$pin" -o /dev/null "$S"
	check "https through tinyproxy: verified with the pin, end to end" sh -c "[ $rc = 0 ] &&
		grep -q 'verified, d20 over https+pin through the proxy 127.0.0.1:$tp,' '$work/out'"
	if [ "$lh" = 1 ]; then
		run "$work/out" HTTPS_PROXY=$P $D20 -v --ca "$work/ca.pem" -o /dev/null \
			"https://localhost:$sp/"
		check "https://localhost through tinyproxy (HTTPS_PROXY): the CA and the name verified" \
			sh -c "[ $rc = 0 ] && grep -q 'over https+ca through the proxy' '$work/out'"
		check "... the proxy, not d20, resolved localhost" \
			grep -q "CONNECT localhost:$sp " "$work/tp/log"
	fi
fi
run "$work/out" http_proxy=$P $D20 -v --timeout 3 -o /dev/null "http://127.0.0.1:$xp/"
check "tinyproxy refuses a port it does not allow: exit 1" [ $rc = 1 ]
check "... CONNECT refused: HTTP 403, naming the proxy" \
	grep -q "failed: proxy 127.0.0.1:$tp: CONNECT refused: HTTP 403" "$work/out"

# ---- curl's rules: which variable, no_proxy, --proxy, --no-proxy ----

run "$work/out" HTTP_PROXY=http://127.0.0.1:$dead $D20 -v -o /dev/null "$H"
check "HTTP_PROXY (upper case) is ignored for http, as by curl" sh -c "[ $rc = 0 ] &&
	grep -q 'verified, d20 over http,' '$work/out'"
if [ "$tls" = 1 ]; then
	run "$work/out" https_proxy= HTTPS_PROXY=http://127.0.0.1:$dead $D20 -v -o /dev/null $T
	check "https_proxy set empty wins over HTTPS_PROXY: no proxy" [ $rc = 0 ]
fi
# The proxied server fails at once; one in no_proxy (by port) verifies.
run "$work/out" ${scheme}_proxy=http://127.0.0.1:$dead http_proxy=http://127.0.0.1:$dead \
	no_proxy="example.org, 127.0.0.1:$hp" $D20 -v --timeout 3 -o /dev/null $T "$H"
check "a dead proxy: 1 of 2 verified, exit 0" sh -c "[ $rc = 0 ] &&
	grep -q '1 of 2 servers verified' '$work/out'"
check "... the proxied server failed: connect to the proxy: refused" \
	grep -q "failed: connect to the proxy 127.0.0.1:$dead: Connection refused" "$work/out"
check "... the server in no_proxy verified directly" \
	grep -q "$H: verified, d20 over http," "$work/out"
check "... at once, not at the deadline ($el ms < 2000)" [ "$el" -lt 2000 ]
run "$work/out" no_proxy="*" ${scheme}_proxy=http://127.0.0.1:$dead $D20 -v -o /dev/null $T
check "no_proxy=*: every server directly" [ $rc = 0 ]
run "$work/out" no_proxy="*" $D20 -v --no-proxy "" --proxy "$P" -o /dev/null "$H"
check "--proxy over the environment, --no-proxy \"\" over no_proxy" sh -c "[ $rc = 0 ] &&
	grep -q 'through the proxy 127.0.0.1:$tp' '$work/out'"
run "$work/out" http_proxy=http://127.0.0.1:$dead $D20 -v --proxy "" -o /dev/null "$H"
check "--proxy \"\": no proxy whatever the environment says" [ $rc = 0 ]
run "$work/out" http_proxy=http://127.0.0.1:$dead $D20 -v --no-proxy 127.0.0.0/8 -o /dev/null "$H"
check "--no-proxy 127.0.0.0/8: an address prefix goes direct" [ $rc = 0 ]

# Bad proxy URLs are configuration errors (exit 2) and never echoed: they
# may hold a password. One no server would use is not even read.
run "$work/out" ${scheme}_proxy=socks5://127.0.0.1:1080 $D20 -o /dev/null $T
check "${scheme}_proxy=socks5://...: exit 2, saying only http:// proxies work" sh -c "[ $rc = 2 ] &&
	grep -q '${scheme}_proxy: only http:// proxies are supported' '$work/out'"
run "$work/out" $D20 --proxy "http://u:s3cret@127.0.0.1:$tp/path" -o /dev/null "$H"
check "--proxy with a path: exit 2, the password not shown" sh -c "[ $rc = 2 ] &&
	grep -q 'no path' '$work/out' && ! grep -q s3cret '$work/out'"
if [ "$tls" = 1 ]; then
	run "$work/out" https_proxy=socks5://127.0.0.1:1080 $D20 -v -o /dev/null "$H"
	check "https_proxy is not read when only http servers are asked" [ $rc = 0 ]
fi

# ---- hostile proxies ----

impk=$work/imp.key
imp=$work/imp.pem
ih=$(free_port)
is=$(free_port)
if [ "$tls" = 1 ]; then
	# An impostor: a d20d with a key of its own, for the same name.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$impk" -out "$imp" -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost -days 2 >/dev/null 2>&1
	start_d20d "$ih" -L "127.0.0.1:$is" --cert "$imp" --key "$impk"
else
	start_d20d "$ih"
fi
check "the impostor d20d listens" [ $? = 0 ]
lie=lie:$ih
[ "$tls" = 1 ] && lie=lie:$is
pf=$work/proxies
# shellcheck disable=SC2046
python3 tests/hostile_proxy.py "$pf" --capture "$work/connect" \
	silent close 407 403 502 huge garbage early capture $(echo "$lie lie:$ih" | tr ' ' '\n' | sort -u) &
pids="$pids $!"
wait_file "$pf" 100 || { nok "hostile proxies started"; exit 1; }

# Each: the proxied server fails with its reason, within --timeout and a
# small margin; the server asked directly (--no-proxy) still verifies.
hostile() {
	_b=$1 _want=$2
	run "$work/out" $D20 -v --timeout 2 --proxy "http://127.0.0.1:$(port_of "$pf" "$_b")" \
		--no-proxy "127.0.0.1:$hp" -o /dev/null $T "$H"
	_line=$(grep "failed:" "$work/out")
	case $_line in
	*"$_want"*) ok "proxy $_b: the server fails: ...$_want..." ;;
	*) nok "proxy $_b: want '$_want', got '$_line'" ;;
	esac
	check "proxy $_b: the direct server still verifies (exit 0, 1 of 2)" sh -c "[ $rc = 0 ] &&
		grep -q '1 of 2 servers verified' '$work/out'"
	check "proxy $_b: within the 2 s deadline and a margin ($el ms < 3000)" [ "$el" -lt 3000 ]
}
hostile silent "timed out while connecting through the proxy"
hostile close "closed the connection without answering CONNECT"
hostile 407 "CONNECT refused: HTTP 407 (proxy authentication required)"
hostile 403 "CONNECT refused: HTTP 403"
hostile 502 "CONNECT refused: HTTP 502"
hostile huge "reply head over 4096 bytes"
hostile garbage "the proxy's reply is not HTTP"
hostile early "sent bytes of its own after its CONNECT reply"
if [ "$tls" = 1 ]; then
	hostile "$lie" "TLS: server key does not match --pin (through the proxy 127.0.0.1:"
	if [ "$lh" = 1 ]; then
		run "$work/out" $D20 -v --timeout 2 --proxy "http://127.0.0.1:$(port_of "$pf" "$lie")" \
			--ca "$work/ca.pem" -o /dev/null "https://localhost:$sp/"
		check "a lying proxy's impostor fails the CA check too (exit 1, TLS)" sh -c "[ $rc = 1 ] &&
			grep -q 'failed: TLS: .*(through the proxy' '$work/out'"
	fi
fi
# Plain HTTP through a lying proxy is what plain HTTP always is: it may
# verify (the impostor knows the protocol) but earns no credit.
run "$work/out" $D20 -v --proxy "http://127.0.0.1:$(port_of "$pf" "lie:$ih")" -o /dev/null "$H"
check "plain HTTP through a lying proxy: verified, 0 bits credited, as plain HTTP always" \
	sh -c "[ $rc = 0 ] && grep -q 'over http through the proxy .*, 0 bits credited' '$work/out'"

# The exact CONNECT bytes, with Basic credentials (percent-decoded).
run "$work/out" $D20 -v --timeout 2 \
	--proxy "http://d20:pa%3Ass@127.0.0.1:$(port_of "$pf" capture)/" -o /dev/null $T
check "the CONNECT request: exactly CONNECT, Host, User-Agent and Proxy-Authorization" \
	python3 -c '
import base64, sys
got = open(sys.argv[1], "rb").read()
hp = ("127.0.0.1:" + sys.argv[2]).encode()
want = (b"CONNECT " + hp + b" HTTP/1.1\r\nHost: " + hp + b"\r\nUser-Agent: d20\r\n"
        b"Proxy-Authorization: Basic " + base64.b64encode(b"d20:pa:ss") + b"\r\n\r\n")
sys.exit(0 if got == want else 1)' "$work/connect" "$sp"
check "... and the password is never shown" sh -c "! grep -q 'pa%3Ass\|pa:ss' '$work/out'"

# ---- tinyproxy with Basic credentials ----

if command -v tinyproxy >/dev/null 2>&1; then
	ap=$(free_port)
	sed -e "s/^Port .*/Port $ap/" -e 's|/tp/log|/tp/alog|' "$work/tp/conf" >"$work/tp/aconf"
	echo "BasicAuth d20 s3cret" >>"$work/tp/aconf"
	: >"$work/tp/alog" && chmod 666 "$work/tp/alog"
	timeout 300 tinyproxy -d -c "$work/tp/aconf" >"$work/tp/aout" 2>&1 &
	pids="$pids $!"
	wait_port "$ap" 50
	run "$work/out" $D20 -v --proxy "http://d20:s3cret@127.0.0.1:$ap" -o /dev/null $T
	check "tinyproxy with BasicAuth: the right password verifies" [ $rc = 0 ]
	# tinyproxy 1.11.1 refuses with 401 where RFC 9110 says 407.
	run "$work/out" $D20 -v --proxy "http://d20:wrong@127.0.0.1:$ap" -o /dev/null $T
	check "... a wrong one is refused (401 or 407, exit 1)" sh -c "[ $rc = 1 ] &&
		grep -q 'CONNECT refused: HTTP 40[17]' '$work/out'"
	run "$work/out" $D20 -v --proxy "http://127.0.0.1:$ap" -o /dev/null $T
	check "... and none is refused (exit 1)" sh -c "[ $rc = 1 ] &&
		grep -q 'CONNECT refused: HTTP 40[17]' '$work/out'"
fi
