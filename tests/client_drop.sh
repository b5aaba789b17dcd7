#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_drop.sh - d20's per-server children give up root before
# they touch the network: during an exchange with a server that never
# answers, the child's /proc/PID/status shows uid and gid 65534, no
# supplementary group, no capability, NoNewPrivs and no way back, while
# the parent stays root; files the child needs are read before the drop
# (a CA bundle and /etc/hosts only root can read still work); as an
# ordinary user nothing changes. Needs root for most of it.
. "$(dirname "$0")/client_lib.sh"

if [ "$(id -u)" != 0 ]; then
	ok "d20's children drop root # SKIP needs root"
	exit 0
fi
start_test_server
out=$work/out
start_hostile "$work/ports" silent
silent=$(port_of "$work/ports" silent)

# children PID: the first child process of PID (from /proc/PID/task/*/children).
children() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | sed -n '/./{p;q}'; }
# field PID NAME: a line of /proc/PID/status, without its name.
field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" 2>/dev/null | tr -s ' \t' ' '; }

# A d20 that waits on the silent server; look at its child meanwhile.
$D20 -v -o /dev/null --timeout 4 "http://127.0.0.1:$silent/" >"$out" 2>&1 &
d20pid=$!
parent= kid=
n=0
while [ $n -lt 50 ]; do
	# $D20 may be "timeout 30 ./d20": then d20 is the child of $!
	parent=$d20pid
	[ "$(cat "/proc/$parent/comm" 2>/dev/null)" = timeout ] && parent=$(children "$parent")
	[ -n "$parent" ] && kid=$(children "$parent")
	[ -n "$kid" ] && [ "$(field "$kid" Uid)" != "0 0 0 0" ] && break
	sleep 0.1
	n=$((n + 1))
done
# then, connected to the silent server, it is in its seccomp sandbox
n=0
while [ -n "$kid" ] && [ "$(field "$kid" Seccomp)" != 2 ] && [ $n -lt 30 ]; do
	sleep 0.1
	n=$((n + 1))
done
seccomp=$(field "$kid" Seccomp)
uid=$(field "$kid" Uid) gid=$(field "$kid" Gid) groups=$(field "$kid" Groups)
capeff=$(field "$kid" CapEff) capprm=$(field "$kid" CapPrm) capamb=$(field "$kid" CapAmb)
nnp=$(field "$kid" NoNewPrivs) puid=$(field "$parent" Uid) pcap=$(field "$parent" CapEff)
echo "# parent $parent: Uid $puid CapEff $pcap; child $kid: Uid $uid Gid $gid Groups '$groups'" \
	"CapEff $capeff CapPrm $capprm CapAmb $capamb NoNewPrivs $nnp"
check "during an exchange the child runs as 65534:65534, no other group" \
	sh -c "[ '$uid' = '65534 65534 65534 65534' ] && [ '$gid' = '65534 65534 65534 65534' ] &&
		[ -z '$groups' ]"
check "... with no capability (CapEff, CapPrm, CapAmb all 0) and NoNewPrivs" \
	sh -c "[ '$capeff' = 0000000000000000 ] && [ '$capprm' = 0000000000000000 ] &&
		[ '$capamb' = 0000000000000000 ] && [ '$nnp' = 1 ]"
check "... and under a seccomp filter (Seccomp: $seccomp)" [ "$seccomp" = 2 ]
check "... while the parent, which feeds the kernel, stays root" \
	sh -c "[ '$puid' = '0 0 0 0' ] && [ '$pcap' != 0000000000000000 ]"
wait "$d20pid"
rc=$?
sed 's/^/# /' "$out"
check "the silent server: exit 1 at the deadline" \
	sh -c "[ $rc = 1 ] && grep -q 'failed: timed out while' '$out'"

# As root the seed still reaches the kernel: credited while the crng is
# not ready, mixed with a forced reseed once it is (as on a running host).
$D20 -v --credit-insecure --credit 8 "http://127.0.0.1:$hp/" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
check "root: the kernel is still fed by the parent (credited 8 bits, or mixed and reseeded)" \
	sh -c "[ $rc = 0 ] && grep -Eq 'kernel: (credited 8 bits|mixed 1 answer and forced a reseed)' '$out'"

# d20.service's capability bounding set: with CAP_SYS_ADMIN alone the
# child cannot drop and refuses to go on as root; the unit's set works.
if command -v setpriv >/dev/null 2>&1; then
	setpriv --bounding-set -all,+sys_admin $D20 -v -o /dev/null "http://127.0.0.1:$hp/" >"$out" 2>&1
	rc=$?
	check "root with only CAP_SYS_ADMIN: the child refuses to go on as root, says why" \
		sh -c "[ $rc = 1 ] && grep -q 'failed: cannot give up root' '$out'"
	set=$(sed -n 's/^CapabilityBoundingSet=//p' dist/d20.service | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
	setpriv --bounding-set "-all,$set" $D20 -v --credit-insecure "http://127.0.0.1:$hp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "root with d20.service's bounding set ($set): verified, and the kernel took it" \
		sh -c "[ $rc = 0 ] && grep -Eq 'kernel: (credited 64 bits|mixed 1 answer and forced a reseed)' '$out'"
fi

# Files read before the drop: a CA bundle only root may read.
if [ "$tls" = 1 ]; then
	cp "$work/ca.pem" "$work/ca-root.pem"
	chmod 600 "$work/ca-root.pem"
	$D20 -v -o /dev/null --ca "$work/ca-root.pem" "https://localhost:$sp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "a CA bundle of mode 0600 (root only) is read before the drop: verified" \
		sh -c "[ $rc = 0 ] && grep -q 'verified, d20 over https+ca' '$out'"
fi
# /etc/hosts and /etc/resolv.conf readable by root only (a private /etc).
if unshare -m true 2>/dev/null; then
	printf '127.0.0.1 localhost d20-hosts.test\n' >"$work/hosts"
	printf 'nameserver 127.0.0.1\n' >"$work/resolv.conf"
	chmod 600 "$work/hosts" "$work/resolv.conf"
	unshare -m sh -c 'mount -t tmpfs none /etc && cp -p "$1/hosts" "$1/resolv.conf" /etc/ &&
		shift && exec "$@"' sh "$work" $D20 -v -o /dev/null "http://d20-hosts.test:$hp/" >"$out" 2>&1
	rc=$?
	sed 's/^/# /' "$out"
	check "an /etc/hosts of mode 0600 is opened before the drop: the name resolves" [ $rc = 0 ]
fi

# An ordinary user: nothing to drop, it works as before.
if command -v setpriv >/dev/null 2>&1; then
	setpriv --reuid=1234 --regid=1234 --clear-groups $D20 -v -o - "http://127.0.0.1:$hp/" \
		>"$work/seed" 2>"$out"
	rc=$?
	sed 's/^/# /' "$out"
	check "as uid 1234: verified, the seed written" \
		sh -c "[ $rc = 0 ] && [ \$(wc -c <'$work/seed') = 64 ]"
fi
