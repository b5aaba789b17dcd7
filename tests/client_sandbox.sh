#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_sandbox.sh - d20's per-server children run under their
# seccomp allow-lists (sandbox.c). The test build $BUILD/probe/d20 (the
# shipped code plus D20_SANDBOX_PROBE) makes a connected child attempt a
# forbidden call when its URL's path is /sandbox-probe/CALL: each such
# child must die of SIGSYS, be reported so, and d20 go on with its other
# servers. tests/client_drop.sh checks a live child's Seccomp field.
. "$(dirname "$0")/client_lib.sh"
probe=$BUILD/probe/d20
[ -x "$probe" ] || { nok "$probe is built (make $probe)"; exit 1; }
hp=$(free_port)
start_d20d "$hp"
check "d20d listens on 127.0.0.1:$hp" [ $? = 0 ]
out=$work/out
timeout 30 "$probe" -v -o /dev/null --timeout 4 "http://127.0.0.1:$hp/sandbox-probe/open" \
	"http://127.0.0.1:$hp/sandbox-probe/execve" "http://127.0.0.1:$hp/sandbox-probe/socket" \
	"http://127.0.0.1:$hp/" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
for call in open execve socket; do
	check "the child that calls $call dies of SIGSYS, and d20 says so" \
		grep -q "/sandbox-probe/$call: failed: child killed by signal 31 (SIGSYS" "$out"
done
check "the other server still verified" grep -q "127.0.0.1:$hp/: verified" "$out"
check "d20 exits 0 with 1 of 4 servers verified" \
	sh -c "[ $rc = 0 ] && grep -q '1 of 4 servers verified' '$out'"
