#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/server_sandbox.sh - d20d's workers and d20d -i run under their
# seccomp allow-list (sandbox.c). The test build $BUILD/probe/d20d (the
# shipped code plus D20_SANDBOX_PROBE) makes a worker attempt a forbidden
# call (open, execve, socket) when asked for /sandbox-probe/CALL: each must
# die of SIGSYS before answering, be logged, and the server keep serving.
. "$(dirname "$0")/client_lib.sh"
probe=$BUILD/probe/d20d
[ -x "$probe" ] || { nok "$probe is built (make $probe)"; exit 1; }

# get PORT PATH: the whole answer (empty when the connection just closed).
get() {
	python3 - "$1" "$2" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), 5)
s.settimeout(5)
s.sendall(b"GET %s?challenge=0123456789abcdef HTTP/1.0\r\nHost: x\r\n\r\n" % sys.argv[2].encode())
out = b""
try:
    while len(out) < 65536:
        b = s.recv(4096)
        if not b:
            break
        out += b
except (ConnectionResetError, socket.timeout):
    pass
sys.stdout.write(out.decode(errors="replace"))
PY
}

port=$(free_port)
"$probe" -l "127.0.0.1:$port" -c 4 2>"$work/log" &
pids="$pids $!"
check "the probe build listens" wait_port "$port" 50
get "$port" /api/entropy >"$work/a0"
check "an ordinary request is answered (200)" grep -q '^HTTP/1.[01] 200' "$work/a0"

# the idle worker that answered: its seccomp mode is 2 (filter)
w=$(pgrep -P "$(echo $pids | awk '{print $NF}')" | head -n 1)
check "a worker exists (pid ${w:-none})" [ -n "$w" ]
[ -n "$w" ] && check "the worker runs under a seccomp filter (Seccomp: 2)" \
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$w/status"
[ -n "$w" ] && check "the worker has no_new_privs set" \
	grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$w/status"
if [ "$(id -u)" = 0 ] && [ -n "$w" ]; then
	check "the worker serves as an unprivileged uid" \
		sh -c "awk '/^Uid:/ { exit (\$2 == 0) }' /proc/$w/status"
fi
killed() { grep -c 'killed by signal 31 (SIGSYS' "$work/log"; }
k=0
for call in open execve socket; do
	get "$port" "/sandbox-probe/$call" >"$work/p-$call"
	check "a worker that calls $call gives no answer" [ ! -s "$work/p-$call" ]
	k=$((k + 1))
	n=0
	while [ "$(killed)" -lt $k ] && [ $n -lt 50 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	check "d20d logs the worker killed by SIGSYS after $call ($(killed) of $k)" \
		[ "$(killed)" = $k ]
	get "$port" /api/entropy >"$work/a-$call"
	check "the server still answers after the $call worker died" \
		grep -q '^HTTP/1.[01] 200' "$work/a-$call"
done
sed 's/^/# /' "$work/log" | tail -n 8

# d20d -i: the one process is sandboxed the same way
printf 'GET /sandbox-probe/open?challenge=0123456789abcdef HTTP/1.0\r\n\r\n' |
	timeout 10 "$probe" -i -q >"$work/i-out" 2>/dev/null
rc=$?
check "d20d -i that calls open dies of SIGSYS (status $rc, want 159)" [ "$rc" = 159 ]
printf 'GET /api/entropy?challenge=0123456789abcdef HTTP/1.0\r\n\r\n' |
	timeout 10 "$probe" -i -q >"$work/i-ok" 2>/dev/null
check "d20d -i answers an ordinary request under the same sandbox" \
	grep -q '^HTTP/1.[01] 200' "$work/i-ok"
