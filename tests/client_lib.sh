# SPDX-License-Identifier: MIT
# tests/client_lib.sh - shared by the tests/client_*.sh scripts (sourced).
# Each script prints "ok - ..." / "not ok - ..." lines for tests/run.sh.

cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
: "${MAKE:=make}"
# Every d20 run is bounded, so that a broken deadline fails, not hangs.
D20=${D20:-timeout 30 ./d20}

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }
check() { _d=$1; shift; if "$@"; then ok "$_d"; else nok "$_d"; fi; }

# A scratch directory and the processes started here, cleaned up on exit.
work=$(mktemp -d)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

# Milliseconds on the monotonic-enough wall clock (GNU date).
ms() { echo $(( $(date +%s%N) / 1000000 )); }

# wait_file FILE [TENTHS]: wait (bounded) until FILE exists.
wait_file() {
	_n=0
	while [ ! -s "$1" ] && [ "$_n" -lt "${2:-100}" ]; do
		sleep 0.1
		_n=$((_n + 1))
	done
	[ -s "$1" ]
}

# free_port, wait_port PORT [TENTHS]
. tests/ports.sh

# start_hostile PORTFILE ARGS...: start tests/hostile_server.py.
start_hostile() {
	_portfile=$1
	shift
	python3 tests/hostile_server.py "$_portfile" "$@" &
	pids="$pids $!"
	wait_file "$_portfile" 100
}

# port_of PORTFILE BEHAVIOUR
port_of() { awk -v b="$2" '$1 == b { print $2 }' "$1"; }

# make_certs DIR: a test CA and a server certificate for DNS:localhost
# (EC P-256, made now by openssl), and the server key's pin in DIR/pin.
make_certs() {
	(
		cd "$1" || exit 1
		openssl ecparam -name prime256v1 -genkey -noout -out ca.key &&
		openssl req -x509 -new -key ca.key -subj /CN=d20-test-ca -days 2 -out ca.pem &&
		openssl ecparam -name prime256v1 -genkey -noout -out other.key &&
		openssl req -x509 -new -key other.key -subj /CN=other-ca -days 2 -out other.pem &&
		openssl ecparam -name prime256v1 -genkey -noout -out srv.key &&
		openssl req -new -key srv.key -subj /CN=localhost -out srv.csr &&
		printf 'subjectAltName=DNS:localhost\n' >ext &&
		openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 2 -extfile ext -out srv.pem &&
		echo "sha256//$(openssl pkey -in srv.key -pubout -outform der |
			openssl dgst -sha256 -binary | base64)" >pin
	) >/dev/null 2>&1
}

# start_d20d PORT [ARGS...]: a d20d on 127.0.0.1:PORT, waited for.
start_d20d() {
	_port=$1
	shift
	${D20D:-./d20d} -q -l "127.0.0.1:$_port" "$@" 2>>"$work/d20d.log" &
	pids="$pids $!"
	wait_port "$_port" 50
}

# The usual server: d20d on 127.0.0.1:$hp, plus HTTPS on 127.0.0.1:$sp
# with make_certs' certificate when d20 was built with TLS. Sets hp, sp
# and tls, and checks that it listens.
start_test_server()
{
	hp=$(free_port)
	sp=$(free_port)
	tls=0
	$D20 --version | grep -q ' tls$' && tls=1
	if [ "$tls" = 1 ]; then
		make_certs "$work" || nok "openssl made the test certificates"
		start_d20d "$hp" -L "127.0.0.1:$sp" --cert "$work/srv.pem" --key "$work/srv.key"
	else
		start_d20d "$hp"
	fi
	check "d20d listens on 127.0.0.1:$hp" [ $? = 0 ]
}
