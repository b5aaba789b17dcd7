#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_dns.sh - d20's own resolver (dns.c) against a tiny DNS
# server made here, on loopback port 53. Needs root: each d20 runs in a
# private mount namespace with a tmpfs over /etc holding the test's
# hosts and resolv.conf. A name that resolves to 127.0.0.1 verifies
# against d20d (directly and through a CNAME); NXDOMAIN and SERVFAIL fail
# with a reason; a silent server ends within --timeout, and the next
# server in resolv.conf still answers; /etc/hosts is read past a line
# longer than the resolver's buffer.
. "$(dirname "$0")/client_lib.sh"

if [ "$(id -u)" != 0 ] || ! unshare -m true 2>/dev/null; then
	ok "d20 resolver against a test DNS server # SKIP needs root"
	exit 0
fi

good=127.0.0.153	# answers
mute=127.0.0.154	# reads and never answers
flood=127.0.0.155	# answers each query with 1.5 s of wrong-ID replies
cat >"$work/dns.py" <<'EOF'
import socket, struct, sys, time
# A DNS server for the test: d20.test A 127.0.0.1, alias.d20.test CNAME
# d20.test, fail.d20.test SERVFAIL, anything else NXDOMAIN; AAAA has no
# data. nx6.d20.test and nx6first.d20.test have A 127.0.0.1 and answer
# AAAA with NXDOMAIN, as some broken servers do: nx6 after the A answer,
# nx6first before it (the A reply is held until the AAAA query came).
# With "mute" it reads queries and never answers; with "flood" it sends
# wrong-ID replies for 1.5 s. Logs each query.
addr, mode, log = sys.argv[1], sys.argv[2], open(sys.argv[3], "a")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((addr, 53))
open(sys.argv[4], "w").write("up\n")
def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"
def rr(owner, t, rd):
    return owner + struct.pack(">HHIH", t, 1, 60, len(rd)) + rd
held = None
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 12:
        continue
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    qname, qtype = ".".join(labels).lower(), struct.unpack(">H", q[i + 1:i + 3])[0]
    log.write("%s %d rd=%d\n" % (qname, qtype, q[2] & 1))
    log.flush()
    if mode == "mute":
        continue
    if mode == "flood":
        bad = bytes([q[0] ^ 0xff, q[1]]) + b"\x81\x80\x00\x01" + bytes(6) + q[12:]
        t = time.time() + 1.5
        while time.time() < t:
            try:
                s.sendto(bad, peer)
            except OSError:
                pass
        continue
    question, an, rcode = q[12:i + 5], [], 0
    if qname in ("nx6.d20.test", "nx6first.d20.test"):
        if qtype == 1:
            an.append(rr(b"\xc0\x0c", 1, bytes([127, 0, 0, 1])))
        else:
            rcode = 3
    elif qname in ("d20.test", "alias.d20.test"):
        owner = b"\xc0\x0c"
        if qname == "alias.d20.test":
            an.append(rr(owner, 5, name("d20.test")))
            owner = name("d20.test")
        if qtype == 1:
            an.append(rr(owner, 1, bytes([127, 0, 0, 1])))
    elif qname == "fail.d20.test":
        rcode = 2
    else:
        rcode = 3
    reply = (q[:2] + struct.pack(">HHHHH", 0x8180 | rcode, 1, len(an), 0, 0) +
             question + b"".join(an))
    if qname == "nx6first.d20.test" and qtype == 1:
        held = reply
        continue
    s.sendto(reply, peer)
    if qname == "nx6first.d20.test" and held:
        s.sendto(held, peer)
        held = None
EOF
python3 "$work/dns.py" $good good "$work/queries" "$work/good.up" 2>>"$work/dns.log" &
pids="$pids $!"
python3 "$work/dns.py" $mute mute "$work/queries.mute" "$work/mute.up" 2>>"$work/dns.log" &
pids="$pids $!"
python3 "$work/dns.py" $flood flood "$work/queries.flood" "$work/flood.up" 2>>"$work/dns.log" &
pids="$pids $!"
wait_file "$work/good.up" 50 && wait_file "$work/mute.up" 50 && wait_file "$work/flood.up" 50
check "test DNS servers listen on $good:53, $mute:53 and $flood:53" [ $? = 0 ]

hp=$(free_port)
start_d20d "$hp"
check "d20d listens on 127.0.0.1:$hp" [ $? = 0 ]

# A hosts file whose entry comes after a 5000-byte line and 300 others.
{
	printf '# %05000d\n' 0
	i=0
	while [ $i -lt 300 ]; do echo "192.0.2.$((i % 250 + 1)) filler$i.test"; i=$((i + 1)); done
	echo "127.0.0.1 localhost hosts-only.test"
} >"$work/hosts"

out=$work/out
# d20ns "nameserver lines" ARGS...: run d20 with that resolv.conf.
d20ns() {
	printf '%s\n' "$1" >"$work/resolv.conf"
	shift
	unshare -m sh -c 'mount -t tmpfs none /etc &&
		cp "$1/hosts" "$1/resolv.conf" /etc/ && shift && exec "$@"' \
		sh "$work" $D20 "$@" >"$out" 2>&1
}

d20ns "nameserver $good" -v -o /dev/null "http://d20.test:$hp/"
rc=$?
sed 's/^/# /' "$out"
check "a name from DNS (A 127.0.0.1) verifies against d20d" [ $rc = 0 ]
check "... asked A and AAAA, recursion desired" \
	sh -c "grep -q '^d20.test 1 rd=1' '$work/queries' && grep -q '^d20.test 28 rd=1' '$work/queries'"

d20ns "nameserver $good" -v -o /dev/null "http://alias.d20.test:$hp/"
check "a CNAME followed to its A record verifies" [ $? = 0 ]

d20ns "nameserver $good" -v -o /dev/null "http://nx.d20.test:$hp/"
rc=$?
sed 's/^/# /' "$out"
check "NXDOMAIN: exit 1" [ $rc = 1 ]
check "... 'cannot resolve nx.d20.test: no such name'" \
	grep -q 'failed: cannot resolve nx.d20.test: no such name' "$out"

# A and AAAA are two queries: an NXDOMAIN for one must not throw away
# the address the other brought, whichever comes first.
d20ns "nameserver $good" -v -o /dev/null "http://nx6.d20.test:$hp/"
rc=$?
sed 's/^/# /' "$out"
check "A 127.0.0.1, then NXDOMAIN for AAAA: the A answer is kept, verified" [ $rc = 0 ]
d20ns "nameserver $good" -v -o /dev/null "http://nx6first.d20.test:$hp/"
rc=$?
sed 's/^/# /' "$out"
check "NXDOMAIN for AAAA first, then A 127.0.0.1: the A answer is used, verified" [ $rc = 0 ]

d20ns "nameserver $good" -v -o /dev/null "http://fail.d20.test:$hp/"
check "SERVFAIL: fails saying the name server failed" \
	grep -q 'failed: cannot resolve fail.d20.test: the name server failed' "$out"

t0=$(ms)
d20ns "nameserver $mute" -v -o /dev/null --timeout 1.5 "http://d20.test:$hp/"
rc=$?
t=$(($(ms) - t0))
sed 's/^/# /' "$out"
check "a silent name server: exit 1 within --timeout 1.5 (${t} ms)" \
	sh -c "[ $rc = 1 ] && [ $t -lt 3000 ]"
check "... failed while resolving" grep -Eq 'resolving the name|cannot resolve' "$out"
check "... and was asked again after a second" \
	[ "$(grep -c '^d20.test 1 ' "$work/queries.mute")" -ge 2 ]

t0=$(ms)
d20ns "nameserver $flood" -v -o /dev/null --timeout 1 "http://d20.test:$hp/"
rc=$?
t=$(($(ms) - t0))
sed 's/^/# /' "$out"
check "a server flooding wrong-ID replies: exit 1 within --timeout 1 (${t} ms)" \
	sh -c "[ $rc = 1 ] && [ $t -lt 2000 ] && grep -Eq 'resolving the name|cannot resolve' '$out'"

d20ns "nameserver $mute
nameserver $good" -v -o /dev/null --timeout 3 "http://d20.test:$hp/"
rc=$?
sed 's/^/# /' "$out"
check "a silent first name server, a good second one: verified" [ $rc = 0 ]

t0=$(ms)
d20ns "nameserver $mute" -v -o /dev/null --timeout 3 "http://hosts-only.test:$hp/"
rc=$?
t=$(($(ms) - t0))
check "a name from /etc/hosts past a 5000-byte line, no DNS asked (${t} ms)" \
	sh -c "[ $rc = 0 ] && [ $t -lt 1500 ] && ! grep -q hosts-only '$work/queries.mute'"

# No nameserver line: 127.0.0.1:53, where nothing listens here, so the
# ICMP port unreachable ends the lookup at once.
if ! python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 53))' 2>/dev/null; then
	ok "no nameserver line: default 127.0.0.1 # SKIP port 53 on 127.0.0.1 in use"
else
	t0=$(ms)
	d20ns "# none" -v -o /dev/null --timeout 3 "http://d20.test:$hp/"
	t=$(($(ms) - t0))
	sed 's/^/# /' "$out"
	check "no nameserver line: 127.0.0.1:53 asked, unreachable at once (${t} ms)" \
		sh -c "grep -q 'cannot resolve d20.test: name server unreachable' '$out' && [ $t -lt 1500 ]"
fi
