#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_tlsrandom.sh - d20's TLS secrets are fresh: a relay on
# loopback (tests/tls_relay.py) between d20 and d20d --tls records each
# handshake's ClientHello random and ECDHE public key. Runs started in the
# same state as far as a test can make it (one pid namespace, so the same
# pids; no ASLR) and several servers in one run must all differ. What
# keeps them apart when the crng is not ready (jitter, the CPU's
# generator) is unit-tested by seed_test; its cost in early boot is
# measured by tests/boot_initramfs.sh.
. "$(dirname "$0")/client_lib.sh"

start_test_server
[ "$tls" = 1 ] || { echo "ok - TLS client randoms # SKIP d20 built without TLS"; exit 0; }
pin=$(cat "$work/pin")
log=$work/hellos
python3 tests/tls_relay.py "$work/relayport" "$log" "$sp" &
pids="$pids $!"
wait_file "$work/relayport" 100 || { nok "the TLS relay started"; exit 1; }
rp=$(cat "$work/relayport")
url=https://127.0.0.1:$rp/

# The same start each time: pid 1 of a fresh pid namespace (so d20 and
# its children get the same pids) and no address randomisation, when
# unshare and setarch can; otherwise just two runs.
same=
if unshare --pid --fork true 2>/dev/null && setarch -R true 2>/dev/null; then
	same="unshare --pid --fork setarch -R"
	echo "# runs start as pid 1 of a new pid namespace, without ASLR"
fi
for run in 1 2; do
	# shellcheck disable=SC2086
	$same $D20 -q --pin "$pin" -o /dev/null "$url" >"$work/out" 2>&1
	check "run $run through the relay verified" [ $? = 0 ]
done
# shellcheck disable=SC2086
$same $D20 -q --pin "$pin" -o /dev/null "$url" "$url" "$url" >"$work/out" 2>&1
check "one run asking 3 servers through the relay verified" [ $? = 0 ]
sed 's/^/# /' "$log"
check "the relay saw 5 handshakes" [ "$(wc -l < "$log")" = 5 ]
check "5 different ClientHello randoms" \
	[ "$(awk '{ print $2 }' "$log" | sort -u | wc -l)" = 5 ]
check "5 different ECDHE public keys" \
	[ "$(awk '{ print $4 }' "$log" | sort -u | wc -l)" = 5 ]
check "... each a P-256 or X25519 point (65 or 32 bytes)" \
	sh -c "! awk '{ print length(\$4) }' '$log' | grep -qvx -e 130 -e 64"
