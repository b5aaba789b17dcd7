#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/client_hostile.sh - d20 against good and hostile test servers
# (tests/hostile_server.py on 127.0.0.1): exact request bytes, every
# failure named, the deadline held, the good answers still counted,
# options and exit statuses.
. "$(dirname "$0")/client_lib.sh"
. tests/hostile_expect.sh

pf=$work/ports
cap=$work/request
bad="wrongcr garbage huge drip silent midclose notfound bigbody dupkey pollen-wrong d20-error blackhole"
if ! start_hostile "$pf" --capture "$cap" d20 pollen capture d20-nolength d20-early \
    stale ahead10y y2001 $bad; then
	nok "hostile test servers started"
	exit 1
fi
u() { echo "http://127.0.0.1:$(port_of "$pf" "$1")/"; }

# The exact request: nothing but the path, the challenge and Host.
port=$(port_of "$pf" capture)
$D20 -q -o "$work/seed" "http://127.0.0.1:$port"
check "a single good server: exit 0" [ $? = 0 ]
check "the request bytes are exactly GET, Host and User-Agent: d20" \
	python3 -c '
import re, sys
got = open(sys.argv[1], "rb").read()
want = (rb"GET /api/entropy\?challenge=[0-9a-f]{128} HTTP/1\.0\r\n"
        rb"Host: 127\.0\.0\.1:" + sys.argv[2].encode() + rb"\r\n"
        rb"User-Agent: d20\r\n\r\n")
sys.exit(0 if re.fullmatch(want, got) else 1)' "$cap" "$port"
check "-o writes exactly 64 bytes" [ "$(wc -c < "$work/seed")" = 64 ]

# The D20 test servers are twins of the real D20 server's answer (as
# measured: Flask on Werkzeug), random fields and Date apart.
for twin in d20:1024:1236 d20-early:8192:8404; do
	name=${twin%%:*} hex=${twin#*:} clen=${twin##*:}
	hex=${hex%%:*}
	check "the $name test server sends the real D20's bytes ($hex hex digits, $clen-byte body)" \
		python3 -c '
import re, socket, sys
port, hex_, clen = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3].encode()
s = socket.create_connection(("127.0.0.1", port), timeout=5)
s.sendall(b"GET /api/entropy?challenge=" + b"ab" * 64 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
got = b""
while len(got) < 20000:
    b = s.recv(65536)
    if not b:
        break
    got += b
want = (rb"HTTP/1\.1 200 OK\r\nServer: Werkzeug/[0-9.]+ Python/[0-9.]+\r\n"
        rb"Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r\n"
        rb"Content-Type: application/json\r\nContent-Length: " + clen + rb"\r\n"
        rb"Connection: close\r\n\r\n"
        rb"\{\"apiVersion\":\"1\",\"challengeResponse\":\"[0-9a-f]{128}\",\"entropy\":\"[0-9a-f]{" +
        hex_ + rb"}\",\"time\":\"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\"\}\n")
sys.exit(0 if re.fullmatch(want, got) else 1)' "$(port_of "$pf" "$name")" "$hex" "$clen"
done

# A path with a query keeps it and appends the challenge with '&'.
rm -f "$cap"
$D20 -q -o /dev/null "http://127.0.0.1:$port/x/y?k=v" >/dev/null 2>&1
check "a given path and query are kept: GET /x/y?k=v&challenge=" \
	grep -q '^GET /x/y?k=v&challenge=[0-9a-f]\{128\} HTTP/1.0' "$cap"

# All at once: the good ones verify, each bad one fails with its reason,
# and the run ends at the deadline although drip and silent never finish.
all="$(u d20) $(u pollen) $(u d20-nolength) $(u d20-early)"
for b in $bad; do all="$all $(u "$b")"; done
t0=$(ms)
# shellcheck disable=SC2086
$D20 -v --timeout 2 -o "$work/seed" $all >"$work/out" 2>&1
rc=$?
t1=$(ms)
sed 's/^/# /' "$work/out"
check "good and bad servers mixed: exit 0" [ $rc = 0 ]
check "the 2 s deadline holds with silent and dripping servers ($((t1 - t0)) ms < 4000)" \
	[ $((t1 - t0)) -lt 4000 ]
check "the deadline is waited for, not cut short ($((t1 - t0)) ms >= 1900)" \
	[ $((t1 - t0)) -ge 1900 ]
check "4 of 16 verified" grep -q '4 of 16 servers verified' "$work/out"
hostile_expect "$work/out" ""
# The child's last connect slice ends at the deadline too: either may tell.
line=$(grep -F "$(u blackhole):" "$work/out")
case $line in
*"imed out"*) ok "blackhole server: timed out" ;;
*) nok "blackhole server: want 'timed out', got '$line'" ;;
esac
check "the timed-out drip reports the bytes it got so far" \
	grep -q "$(u drip): failed: .*, [1-9][0-9]* bytes)" "$work/out"
check "the timed-out silent server reports 0 bytes" \
	grep -q "$(u silent): failed: .*, 0 bytes)" "$work/out"

# Plain HTTP earns no credit unless asked.
check "plain HTTP answers are credited 0 bits" \
	grep -q "$(u d20): verified.*0 bits credited" "$work/out"

# --min and the bad-only case.
# shellcheck disable=SC2086
$D20 -q --timeout 2 --min 5 -o /dev/null $all >"$work/out" 2>&1
check "--min 5 with 4 good servers: exit 1" [ $? = 1 ]
check "... and says why" grep -q '4 of 16 servers verified (need 5)' "$work/out"
$D20 -q --timeout 1 -o "$work/seed" "$(u wrongcr)" "$(u garbage)" >"$work/out" 2>&1
check "only bad servers: exit 1" [ $? = 1 ]
check "... -q still prints the failures" grep -q 'failed: wrong challengeResponse' "$work/out"

# -q: nothing at all on success.
$D20 -q -o /dev/null "$(u d20)" >"$work/out" 2>&1
check "-q prints nothing on success" [ ! -s "$work/out" ]

# A D20 answer whose challengeResponse verifies is fresh whatever the
# clocks say: servers 2 h behind, 10 years ahead and in 2001 all count;
# -v reports each skew beyond --max-skew, and --max-skew only sets that.
$D20 -v -o /dev/null "$(u stale)" "$(u ahead10y)" "$(u y2001)" >"$work/out" 2>&1
rc=$?
sed 's/^/# /' "$work/out"
check "servers 2 h behind, 10 years ahead and in 2001 verify: exit 0" \
	sh -c "[ $rc = 0 ] && grep -q '3 of 3 servers verified' '$work/out'"
check "... -v reports the 2 h skew" \
	grep -Eq "$(u stale): its clock is 72(0[0-9]|10) s behind ours \(over --max-skew 600\)" "$work/out"
check "... and the 10 years" \
	grep -Eq "$(u ahead10y): its clock is 3153[56][0-9]{4} s ahead of ours" "$work/out"
check "... and 2001" grep -q "$(u y2001): its clock is [0-9]* s behind ours" "$work/out"
$D20 -v --max-skew 86400 -o /dev/null "$(u stale)" >"$work/out" 2>&1
check "--max-skew 86400: the 2 h skew verifies and is not reported" \
	sh -c "[ $? = 0 ] && ! grep -q 'its clock is' '$work/out'"
$D20 -q -o /dev/null "$(u stale)" "$(u y2001)" >"$work/out" 2>&1
check "-q: skewed servers verify silently" sh -c "[ $? = 0 ] && [ ! -s '$work/out' ]"

# A dead port fails at once, not at the deadline.
dead=$(free_port)
t0=$(ms)
$D20 -v --timeout 5 -o /dev/null "http://127.0.0.1:$dead/" "$(u pollen)" >"$work/out" 2>&1
rc=$?
t1=$(ms)
check "a refused connection fails with its reason" grep -q 'failed: connect: Connection refused' "$work/out"
check "... and the run does not wait for the deadline ($((t1 - t0)) ms < 2000)" [ $((t1 - t0)) -lt 2000 ]
check "... the other server still counts: exit 0" [ $rc = 0 ]

# A host name goes through dns.c (localhost from /etc/hosts).
if grep -q '^127\.0\.0\.1[[:space:]].*localhost' /etc/hosts 2>/dev/null; then
	$D20 -q -o /dev/null "http://localhost:$(port_of "$pf" d20)/"
	check "a host name (localhost) resolves and verifies" [ $? = 0 ]
fi

# --delay waits a random time within its bound, then does the job.
t0=$(ms)
$D20 -q --delay 1 -o /dev/null "$(u d20)"
rc=$?
t1=$(ms)
check "--delay 1: exit 0 within 1 s and the exchange ($((t1 - t0)) ms < 3000)" \
	sh -c "[ $rc = 0 ] && [ $((t1 - t0)) -lt 3000 ]"

# Two runs never give the same seed or challenge.
$D20 -q -o "$work/seed2" "$(u d20)"
check "two runs give different seeds" sh -c "! cmp -s '$work/seed' '$work/seed2'"
check "-o - writes the 64-byte seed to stdout" \
	sh -c "$D20 -q -o - '$(u pollen)' | wc -c | grep -qx 64"

# Server lists: comments, blank lines, several files.
printf '# test list\n\n  %s   # a D20 server\n%s\n' "$(u d20)" "$(u pollen)" >"$work/list"
$D20 -v -f "$work/list" -o /dev/null >"$work/out" 2>&1
check "-f FILE with comments: both servers asked" grep -q '2 of 2 servers verified' "$work/out"

# No URL and no -f: /etc/d20/servers, shown to d20 in a mount namespace
# of its own (an empty /etc on tmpfs), so the machine's /etc is untouched.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	unshare -m sh -c "mount -t tmpfs none /etc && mkdir /etc/d20 &&
		printf '# default list\n%s\n' '$(u pollen)' >/etc/d20/servers &&
		$D20 -v -o /dev/null" >"$work/out" 2>&1
	check "no URL: the servers in /etc/d20/servers are asked" grep -q '1 of 1 servers verified' "$work/out"
	unshare -m sh -c "mount -t tmpfs none /etc && $D20 -o /dev/null" >"$work/out" 2>&1
	rc=$?
	check "no URL and no /etc/d20/servers: exit 2 saying so" \
		sh -c "[ $rc = 2 ] && grep -q 'no server' '$work/out'"
fi

# A name with two addresses, the first black-holed (SYNs dropped): the
# first gets half the time left, then the second is tried and verifies.
# (host.conf: glibc, for the ASan build, returns one line a name without.)
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	bp=$(free_port)
	if start_hostile "$work/ports2" "blackhole@127.0.0.1:$bp" "d20@127.0.0.2:$bp"; then
		t0=$(ms)
		unshare -m sh -c "mount -t tmpfs none /etc &&
			printf '127.0.0.1 twohomed\n127.0.0.2 twohomed\n' >/etc/hosts &&
			printf 'multi on\n' >/etc/host.conf &&
			$D20 -v --timeout 4 -o /dev/null http://twohomed:$bp/" >"$work/out" 2>&1
		rc=$?
		t1=$(ms)
		sed 's/^/# /' "$work/out"
		check "a black-holed first address does not use up the deadline: verified" [ $rc = 0 ]
		check "... after giving it half the time ($((t1 - t0)) ms in 1500..3900)" \
			[ $((t1 - t0)) -ge 1500 -a $((t1 - t0)) -lt 3900 ]
	else
		nok "black-hole test servers started"
	fi
fi

# Usage and configuration errors exit 2.
for args in "--no-such-option" "ftp://127.0.0.1/" "http://[::1/" "http://h:0/" \
    "http://user@h/" "--timeout x http://127.0.0.1/" "--min 3 http://127.0.0.1/" \
    "-f /dev/null" "-f $work/no-such-file" "--credit 9999 http://127.0.0.1/"; do
	# shellcheck disable=SC2086
	$D20 $args >/dev/null 2>&1
	check "d20 $args: exit 2" [ $? = 2 ]
done

# A TLS=0 build refuses https URLs with a clear reason.
if $MAKE -s TLS=0 "$BUILD/tls0/d20" >/dev/null 2>&1; then
	"$BUILD/tls0/d20" -v -o /dev/null "https://127.0.0.1:$(port_of "$pf" d20)/" >"$work/out" 2>&1
	rc=$?
	sed 's/^/# /' "$work/out"
	check "TLS=0: an https URL fails with exit 1" [ $rc = 1 ]
	check "TLS=0: ... saying it needs TLS=1" grep -q 'needs a d20 built with TLS=1' "$work/out"
else
	nok "TLS=0 d20 builds"
fi
