#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_pollen.sh - d20 against Debian's real pollen server. pollen
# can only listen on every address (":PORT"), so it runs in a network
# namespace made here, whose only interface is loopback; it also needs a
# syslog socket, given to it at /dev/log (only when there is none).
. "$(dirname "$0")/client_lib.sh"

if [ -z "${D20_IN_NETNS:-}" ]; then
	if ! command -v pollen >/dev/null 2>&1; then
		nok "pollen is installed (Debian package pollen; tools/deps.sh check)"
		exit 1
	fi
	if [ "$(id -u)" != 0 ] || ! unshare -n true 2>/dev/null; then
		echo "ok - pollen test skipped: a network namespace needs root # SKIP"
		exit 0
	fi
	D20_IN_NETNS=1 exec unshare -n sh "$0"
fi

cleanup_log() { [ -s "$work/syslog-up" ] && rm -f /dev/log; }
ip link set lo up || nok "loopback up in the test's network namespace"
if [ ! -e /dev/log ]; then
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1], "w").write("up")
while True:
    s.recv(65536)' "$work/syslog-up" &
	pids="$pids $!"
	# Remove /dev/log only if it is ours: bound by the socket above.
	trap 'cleanup_log; cleanup' EXIT
	wait_file "$work/syslog-up" 50 || nok "a syslog socket at /dev/log"
fi

make_certs "$work" || nok "openssl made the test certificates"
hp=$(free_port)
sp=$(free_port)
pollen -http-port "$hp" -https-port "$sp" -device /dev/urandom \
	-cert "$work/srv.pem" -key "$work/srv.key" >"$work/pollen.log" 2>&1 &
pids="$pids $!"
wait_port "$hp" 50
check "pollen listens on 127.0.0.1:$hp (in its own network namespace)" [ $? = 0 ]

out=$work/out
$D20 -v -o "$work/seed" "http://127.0.0.1:$hp/" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "d20 -> pollen over HTTP: exit 0" [ $rc = 0 ]
check "... verified as a Pollen answer" grep -q 'verified, pollen over http,' "$out"
check "... 64-byte seed written" [ "$(wc -c < "$work/seed")" = 64 ]
$D20 -v -o /dev/null "http://127.0.0.1:$hp/api/entropy" >"$out" 2>&1
check "d20 -> pollen at /api/entropy too" grep -q 'verified, pollen' "$out"

if $D20 --version | grep -q ' tls$' && wait_port "$sp" 30; then
	$D20 -v -o /dev/null --pin "$(cat "$work/pin")" "https://127.0.0.1:$sp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "d20 -> pollen over HTTPS with --pin: verified" \
		sh -c "[ $rc = 0 ] && grep -q 'verified, pollen over https+pin' '$out'"
	$D20 -v -o /dev/null --ca "$work/ca.pem" "https://localhost:$sp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "d20 -> pollen over HTTPS with --ca: verified" \
		sh -c "[ $rc = 0 ] && grep -q 'verified, pollen over https+ca' '$out'"
fi
