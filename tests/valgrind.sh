#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/valgrind.sh - d20d and d20 built by make with the host compiler
# (glibc, -g -O1, no sanitizer, TLS=0: build/vg/) and run under valgrind's
# memcheck through the integration tests: d20d through the endpoint,
# hostile-request and start-up checks of tests/server_test.py, d20 against
# that d20d on loopback and against the hostile servers of
# tests/client_hostile.sh.
#
# d20d's workers and d20's per-server children are forks without exec,
# so valgrind follows them whatever --trace-children says, and d20d's
# workers (and its parent, without TLS) chroot to an empty directory,
# where a --log-file=...%p opened after the fork cannot be created. So
# every command gets one log on an inherited descriptor (--log-fd), which
# its forks share; each process ends its part with an "ERROR SUMMARY"
# line tagged with its pid (not the SIGKILLed ones). A memcheck error
# fails the last checks (a report in a log) and, in the process it hits
# first, exit status 99 fails the check that looks at it.

# the whole run is bounded, whatever a step does
if [ -z "${D20_VG_BOUNDED:-}" ]; then
	D20_VG_BOUNDED=1 exec timeout 900 sh "$0" "$@"
fi
cd "$(dirname "$0")/.." || exit 1
. tests/hostile_expect.sh
BUILD=${BUILD:-build}
case $BUILD in
/*) vg=$BUILD/vg ;;
*) vg=$PWD/$BUILD/vg ;;
esac

for b in d20 d20d; do
	if [ ! -x "$vg/$b" ]; then
		echo "not ok - $vg/$b missing: make test builds it"
		exit 1
	fi
done
if ! command -v valgrind >/dev/null; then
	echo "not ok - valgrind is installed (tools/deps.sh check)"
	exit 1
fi

logs=$(mktemp -d)
chmod 755 "$logs"
work=$(mktemp -d)
pids=
trap 'for p in $pids; do kill -9 "$p" 2>/dev/null; done; rm -rf "$logs" "$work"' EXIT
trap 'exit 1' HUP INT TERM

# build/vg/NAME under memcheck, its log in $logs/NAME.PID (the pid of
# the command: valgrind keeps it through exec).
for b in d20 d20d; do
	cat >"$logs/run-$b" <<EOF
#!/bin/sh
exec 7>"$logs/$b.\$\$"
exec valgrind --error-exitcode=99 --trace-children=yes --vgdb=no --log-fd=7 \\
	--leak-check=full --errors-for-leak-kinds=definite --track-origins=yes \\
	"$vg/$b" "\$@"
EOF
	chmod 755 "$logs/run-$b"
done

# server_test.py's basic group as it is, but for its fixed pauses (a
# request half sent, then 0.3 s for the worker to get it; a server
# started, then 0.3 s for it to listen): under memcheck a program takes
# 0.7 s to start and runs many times slower, so every sleep of the
# harness is four times as long. Its bounded waits stay as they are, but
# for a server's start: 30 s, not 5 (a loaded machine took longer).
t0=$(date +%s)
D20D=$logs/run-d20d timeout 600 python3 -c '
import sys, time
sys.path.insert(0, "tests")
import server_test

class SlowTime:
    def __getattr__(self, name):
        return getattr(time, name)

    def sleep(self, s):
        time.sleep(4 * s)

server_test.time = SlowTime()
server_test.START_WAIT = 30
sys.argv = ["server_test.py", "basic"]
sys.exit(server_test.main())' >"$logs/basic.out" 2>&1
rc=$?
t1=$(date +%s)
sed 's/^\(not \)*ok - /&valgrind: /' "$logs/basic.out"
if [ $rc != 0 ] && ! grep -q '^not ok' "$logs/basic.out"; then
	echo "not ok - valgrind: server_test.py basic exited with status $rc"
fi
echo "# server_test.py basic under valgrind: $((t1 - t0)) s"

# d20 against d20d, both under valgrind, IPv4 and IPv6. An exit status
# of 99 is memcheck's.
port=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])")
port6=$(python3 -c "import socket; s=socket.socket(socket.AF_INET6); s.bind(('::1',0)); print(s.getsockname()[1])" 2>/dev/null)
mkdir -m 755 "$work/empty"
"$logs/run-d20d" -r "$work/empty" -t 30 -l "127.0.0.1:$port" ${port6:+-l "[::1]:$port6"} \
	2>"$work/d20d.log" &
dpid=$!
pids="$pids $dpid"
n=0
until grep -q "listening on 127.0.0.1:$port" "$work/d20d.log" 2>/dev/null || [ $n -ge 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
run_d20() { timeout 60 "$logs/run-d20" -v --timeout 20 "$@" >"$work/out" 2>&1; }
run_d20 -o "$work/seed" "http://127.0.0.1:$port/"
rc=$?
sed 's/^/# /' "$work/out"
if [ $rc = 0 ] && [ "$(wc -c <"$work/seed")" = 64 ] && grep -q 'verified, d20 over http' "$work/out"; then
	echo "ok - valgrind: d20 -> d20d over HTTP, both under memcheck: verified, 64-byte seed"
else
	echo "not ok - valgrind: d20 -> d20d over HTTP, both under memcheck (exit $rc)"
fi
if [ -n "$port6" ]; then
	run_d20 -o - "http://[::1]:$port6/api/entropy" "http://127.0.0.1:$port/" >"$work/seed6"
	rc=$?
	if [ $rc = 0 ] && grep -q '2 of 2 servers verified' "$work/out"; then
		echo "ok - valgrind: d20 -> d20d over IPv6 and IPv4 at once, -o -: 2 of 2"
	else
		echo "not ok - valgrind: d20 -> d20d over IPv6 and IPv4 at once (exit $rc)"
	fi
fi
run_d20 -o /dev/null "http://127.0.0.1:$port/api/status"
rc=$?
if [ $rc = 1 ] && grep -q 'failed: missing challengeResponse' "$work/out"; then
	echo "ok - valgrind: d20 -> d20d /api/status (no entropy): refused, exit 1"
else
	echo "not ok - valgrind: d20 -> d20d /api/status (exit $rc)"
fi
kill -TERM $dpid
n=0
while kill -0 $dpid 2>/dev/null && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ $n -lt 300 ] || kill -KILL $dpid 2>/dev/null
wait $dpid
rc=$?
pids=
if [ $rc = 0 ]; then
	echo "ok - valgrind: that d20d stops on SIGTERM, exit 0"
else
	echo "not ok - valgrind: that d20d stops on SIGTERM (exit $rc; 99 is memcheck's)"
fi

# d20 against the test servers of tests/client_hostile.sh at once, with
# a deadline memcheck can meet (client_hostile.sh's own timings are for
# the real d20): the good ones verify, each bad one fails with its reason.
pf=$logs/ports
bad="wrongcr garbage huge drip silent midclose notfound bigbody dupkey pollen-wrong d20-error"
python3 tests/hostile_server.py "$pf" d20 pollen d20-nolength d20-early $bad &
hpid=$!
pids="$pids $hpid"
n=0
while [ ! -s "$pf" ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
u() { echo "http://127.0.0.1:$(awk -v b="$1" '$1 == b { print $2 }' "$pf")/"; }
all="$(u d20) $(u pollen) $(u d20-nolength) $(u d20-early)"
for b in $bad; do all="$all $(u "$b")"; done
out=$logs/out
# shellcheck disable=SC2086
timeout 60 "$logs/run-d20" -v --timeout 8 -o "$logs/seed" $all >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
if [ $rc = 0 ] && grep -q '4 of 15 servers verified' "$out"; then
	echo "ok - valgrind: d20 against 4 good and 11 hostile servers: 4 of 15 verified, exit 0"
else
	echo "not ok - valgrind: d20 against 4 good and 11 hostile servers (exit $rc)"
fi
hostile_expect "$out" "valgrind: "
# a server list read from a file, a name from /etc/hosts, usage errors
printf '# list\n\n  %s  # D20\n%s\n' "$(u d20)" "$(u pollen)" >"$logs/list"
timeout 60 "$logs/run-d20" -v --timeout 8 -f "$logs/list" -o /dev/null >"$out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q '2 of 2 servers verified' "$out"; then
	echo "ok - valgrind: d20 -f FILE with comments: 2 of 2 verified"
else
	echo "not ok - valgrind: d20 -f FILE with comments (exit $rc)"
fi
if grep -q '^127\.0\.0\.1[[:space:]].*localhost' /etc/hosts 2>/dev/null; then
	timeout 60 "$logs/run-d20" -q --timeout 8 -o /dev/null \
		"http://localhost:$(awk '$1 == "d20" { print $2 }' "$pf")/" >"$out" 2>&1
	rc=$?
	if [ $rc = 0 ]; then
		echo "ok - valgrind: d20 resolves localhost (dns.c) and verifies"
	else
		echo "not ok - valgrind: d20 resolves localhost (exit $rc)"
	fi
fi
for args in "--no-such-option" "ftp://127.0.0.1/" "http://[::1/" "--timeout x http://127.0.0.1/" \
    "-f $logs/no-such-file" "--credit 9999 http://127.0.0.1/"; do
	# shellcheck disable=SC2086
	timeout 60 "$logs/run-d20" $args >/dev/null 2>&1
	rc=$?
	if [ $rc = 2 ]; then
		echo "ok - valgrind: d20 $args: exit 2"
	else
		echo "not ok - valgrind: d20 $args: exit $rc, want 2"
	fi
done
# Through proxies (tests/hostile_proxy.py): one relays to the good D20
# server, one sends a reply head that never ends.
ppf=$logs/proxies
python3 tests/hostile_proxy.py "$ppf" "lie:$(awk '$1 == "d20" { print $2 }' "$pf")" huge &
pids="$pids $!"
n=0
while [ ! -s "$ppf" ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
pp() { echo "http://127.0.0.1:$(awk -v b="$1" '$1 == b { print $2 }' "$ppf")"; }
timeout 60 "$logs/run-d20" -v --timeout 8 -o /dev/null --proxy "$(pp "lie:$(awk '$1 == "d20" { print $2 }' "$pf")")" \
	"http://127.0.0.1:1/" >"$out" 2>&1
rc=$?
sed 's/^/# /' "$out"
if [ $rc = 0 ] && grep -q 'verified, d20 over http through the proxy' "$out"; then
	echo "ok - valgrind: d20 through a proxy (CONNECT, then the answer): verified"
else
	echo "not ok - valgrind: d20 through a proxy (exit $rc)"
fi
timeout 60 "$logs/run-d20" -v --timeout 8 -o /dev/null --proxy "$(pp huge)" \
	"http://127.0.0.1:1/" >"$out" 2>&1
rc=$?
if [ $rc = 1 ] && grep -q 'reply head over 4096 bytes' "$out"; then
	echo "ok - valgrind: d20 through a proxy whose reply head never ends: refused at 4 KiB"
else
	echo "not ok - valgrind: d20 through a proxy whose reply head never ends (exit $rc)"
fi
for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
pids=

# Every process that ended by itself left an ERROR SUMMARY; forks in a
# log are the lines whose pid is not the one in its name.
for b in d20d d20; do
	procs=0
	forks=0
	for f in "$logs/$b".*; do
		[ -f "$f" ] || continue
		top=${f##*.}
		procs=$((procs + $(grep -c '^==[0-9]*== ERROR SUMMARY: ' "$f")))
		forks=$((forks + $(grep '^==[0-9]*== ERROR SUMMARY: ' "$f" | grep -vc "^==$top==")))
	done
	bad=$(grep -l '^==[0-9]*== ERROR SUMMARY: [1-9]' "$logs/$b".* 2>/dev/null)
	if [ "$procs" -gt 0 ] && [ "$forks" -gt 0 ] && [ -z "$bad" ]; then
		echo "ok - valgrind: no memcheck error in $procs $b processes ($forks of them forks)"
	else
		echo "not ok - valgrind: memcheck errors in $b, or nothing checked ($procs processes, $forks forks)"
		for f in $bad; do
			grep -v '^==[0-9]*== *$' "$f" | grep -B2 -A25 -m3 -E 'Invalid|uninitialised|Uninitialised|definitely lost|Syscall param|Mismatched|overlap' |
				head -n 80 | sed 's/^/# /'
		done
	fi
done
