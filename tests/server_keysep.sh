#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_keysep.sh - the TLS private key never enters a d20d worker
# (d20d.8, SANDBOX). For an EC (P-256) and an RSA (2048) key: the whole
# memory of every worker, and of the parent, read through /proc/PID/mem
# while handshakes run and after them, holds no secret number of the key
# (tests/memscan.py), while the same read of the signer finds every one;
# so does a read of a worker of $BUILD/keyinworker/d20d, the test build
# that keeps the key in its workers (the scan can fail). Then: a signer
# stopped (SIGSTOP) fails only the handshake in hand, at its deadline; one
# killed with SIGKILL is logged and replaced, and TLS goes on; SIGHUP
# with a new key and certificate makes new handshakes verify against the
# new pair only, with the new key again in the new signer alone.
# D20D=FILE tests another build (D20D=$BUILD/keyinworker/d20d must fail).
. "$(dirname "$0")/client_lib.sh"
d20d=${D20D:-./d20d}
keyin=$BUILD/keyinworker/d20d
if [ "$(id -u)" != 0 ]; then
	echo "ok - # SKIP not root: reading other processes' memory needs root"
	exit 0
fi
[ -x "$keyin" ] || { nok "$keyin is built (make $keyin)"; exit 1; }
mkdir -m 755 "$work/empty"

# pair NAME KIND: NAME.key and a self-signed NAME.pem for localhost
pair() {
	if [ "$2" = ec ]; then
		openssl ecparam -name prime256v1 -genkey -noout -out "$work/$1.key"
	else
		openssl genrsa -out "$work/$1.key" 2048
	fi 2>/dev/null &&
	openssl req -x509 -new -key "$work/$1.key" -subj /CN=localhost -days 2 \
		-addext subjectAltName=DNS:localhost -out "$work/$1.pem" 2>/dev/null
}

# start BIN NAME: d20d on a free port with live.pem/live.key; sets port, pid
start() {
	port=$(free_port)
	"$1" -L "127.0.0.1:$port" -c 8 -t 2 -r "$work/empty" --cert "$work/live.pem" \
		--key "$work/live.key" 2>"$work/$2.log" &
	pid=$!
	pids="$pids $pid"
	wait_port "$port" 50
}

# the signer and the others among pid's children
signer() { for k in $(pgrep -P "$pid"); do
	[ "$(cat "/proc/$k/comm" 2>/dev/null)" = d20d-signer ] && echo "$k"; done; }
workers() { for k in $(pgrep -P "$pid"); do
	[ "$(cat "/proc/$k/comm" 2>/dev/null)" = d20d-worker ] && echo "$k"; done; }

# scan KEY PID...: the lines of memscan.py; hits: those that found any
scan() { python3 tests/memscan.py scan "$@" >"$work/scan" 2>&1; sed 's/^/# /' "$work/scan"; }
hits() { awk '$3 > 0' "$work/scan" | wc -l; }
full() { awk '$3 == $4 && $3 > 0' "$work/scan" | wc -l; }
hammer() { python3 tests/memscan.py hammer "$port" "$1" "$2"; }
# all CMD...: 0 when every command joined by && succeeds (for check)
all() { sh -c "$*"; }

for kind in ec rsa; do
	K=$(echo $kind | tr a-z A-Z)
	pair "$kind" $kind && pair "$kind-2" $kind
	check "$K: two keys and certificates made by openssl" \
		all "[ -s '$work/$kind.pem' ] && [ -s '$work/$kind-2.pem' ]"
	cp "$work/$kind.pem" "$work/live.pem"
	cp "$work/$kind.key" "$work/live.key"
	start "$d20d" "$kind"
	check "$K: d20d listens with --cert and --key" [ -n "$port" ]

	# during: handshakes in the background, every worker read meanwhile;
	# the handshakes go on until five reads are done, however fast they are
	rm -f "$work/done"
	python3 tests/memscan.py hammer "$port" "$work/$kind.pem" 1000 "$work/done" \
		>"$work/during" &
	h=$!
	during=0
	n=0
	while [ $n -lt 5 ] && kill -0 $h 2>/dev/null; do
		sleep 0.2
		w=$(workers)
		[ -n "$w" ] || continue
		scan "$work/live.key" "$pid" $w
		during=$((during + $(hits)))
		n=$((n + 1))
	done
	touch "$work/done"
	wait $h
	read -r ok made <"$work/during"
	check "$K: $made handshakes, at least 1000, all verified while the workers were read ($ok)" \
		all "[ '$ok' = '$made' ] && [ '$made' -ge 1000 ]"
	check "$K: the parent and the workers were read 5 times during handshakes ($n)" [ $n = 5 ]
	check "$K: no secret number of the key in the parent or any worker during handshakes" \
		[ $during = 0 ]
	w=$(workers)
	s=$(signer)
	scan "$work/live.key" "$pid" $w
	check "$K: none after the handshakes either ($(echo $w | wc -w) workers)" \
		all "[ -n '$w' ] && [ $(hits) = 0 ]"
	scan "$work/live.key" $s
	check "$K: the same read of the signer ($s) finds every secret number" \
		all "[ -n '$s' ] && [ $(full) = 1 ]"
	check "$K: the signer is unprivileged and under seccomp (Seccomp: 2)" \
		all "[ -n '$s' ] && grep -q '^Seccomp:[[:space:]]*2' /proc/$s/status &&
		awk '/^Uid:/ { exit (\$2 == 0) }' /proc/$s/status"
	# nice levels (field 19 of /proc/PID/stat): the signer 5 above the
	# parent and the workers
	nice() { awk '{ sub(/.*\) /, ""); print $17 }' "/proc/$1/stat" 2>/dev/null; }
	pn=$(nice "$pid") sn=$(nice "$s") wn=$(for k in $w; do nice "$k"; done | sort -u)
	check "$K: nice: parent $pn, workers $(echo $wn), signer $sn (5 above)" \
		all "[ -n '$pn' ] && [ '$sn' = $((pn - 5)) ] && [ '$wn' = $pn ]"

	# a signer that does not answer fails the handshake in hand only,
	# at the connection's deadline (-t 2), and nothing else: not before
	# it, nor much after (10 s: a machine loaded by a parallel make took
	# 5.4 s to start the client, fail and report)
	if [ $kind = ec ] && [ -n "$s" ]; then
		kill -STOP "$s"
		t0=$(ms)
		r=$(hammer "$work/$kind.pem" 1)
		t1=$(ms)
		kill -CONT "$s"
		check "$K: with the signer stopped, a handshake fails ($r verified) in $((t1 - t0)) ms (1500 to 10000)" \
			all "[ '$r' = 0 ] && [ $((t1 - t0)) -gt 1500 ] && [ $((t1 - t0)) -lt 10000 ]"
		check "$K: the worker logs it cut by the deadline (408, nothing sent)" \
			grep -q ' 127.0.0.1 - - 408 0 ' "$work/$kind.log"
		check "$K: once it runs again, the same signer ($s) serves new handshakes" \
			all "[ \$(python3 tests/memscan.py hammer $port '$work/$kind.pem' 8) = 8 ] &&
			[ '$(signer)' = '$s' ]"
	fi

	# a signer killed is replaced, and TLS goes on
	[ -n "$s" ] && kill -KILL "$s"
	n=0
	until grep -q 'signer restart: reloaded' "$work/$kind.log" || [ $n -ge 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	check "$K: the parent logs the signer killed by signal 9 and starts another" \
		grep -q "signer $s killed by signal 9" "$work/$kind.log"
	s2=$(signer)
	check "$K: a new signer ($s2) took its place" all "[ -n '$s2' ] && [ '$s2' != '$s' ]"
	check "$K: TLS works again after the restart" [ "$(hammer "$work/$kind.pem" 20)" = 20 ]

	# SIGHUP with a new key: new handshakes verify against it only
	cp "$work/$kind-2.pem" "$work/live.pem"
	cp "$work/$kind-2.key" "$work/live.key"
	kill -HUP "$pid"
	n=0
	until grep -q 'SIGHUP: reloaded' "$work/$kind.log" || [ $n -ge 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	check "$K: after SIGHUP, handshakes no longer verify against the old pair" \
		[ "$(hammer "$work/$kind.pem" 4)" = 0 ]
	check "$K: but against the new certificate and key" \
		[ "$(hammer "$work/$kind-2.pem" 20)" = 20 ]
	n=0
	while [ "$(signer | wc -l)" != 1 ] && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	s3=$(signer)
	check "$K: one signer left, a new one ($s3), the old one gone" \
		all "[ -n '$s3' ] && [ '$s3' != '$s2' ] && [ $(echo $s3 | wc -w) = 1 ]"
	scan "$work/live.key" $s3 "$pid" $(workers)
	check "$K: the new key is in the new signer and nowhere else ($(workers | wc -l) workers)" \
		all "[ $(full) = 1 ] && [ $(hits) = 1 ] && grep -q '^$s3 d20d-signer' '$work/scan'"
	sed 's/^/# d20d: /' "$work/$kind.log" | grep -v ' 200 ' | tail -n 6
	kill "$pid"
	wait "$pid"

	# the scan can fail: a build with the key in its workers is caught
	cp "$work/$kind.pem" "$work/live.pem"
	cp "$work/$kind.key" "$work/live.key"
	start "$keyin" "$kind-keyin"
	hammer "$work/$kind.pem" 20 >/dev/null
	w=$(workers)
	scan "$work/live.key" $w
	check "$K: the same scan finds the key in every worker of $keyin" \
		all "[ -n '$w' ] && [ $(full) = $(echo $w | wc -w) ]"
	kill "$pid"
	wait "$pid"
done
