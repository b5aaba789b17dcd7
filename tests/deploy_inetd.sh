#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/deploy_inetd.sh - dist/inetd.conf and dist/d20d.xinetd run by the
# real servers: Debian's openbsd-inetd (installed by tools/deps.sh, its
# service refused by the policy-rc.d there) and Debian's xinetd (which
# conflicts with every other inetd, so its package is downloaded and
# unpacked under D20_CACHE, never installed or started as a service).
# Each is started here in the foreground with dist/'s file, only the port
# (a free one, on 127.0.0.1) and d20d's path changed, serves verified
# answers through d20d -i (tests/deploy_answer.py, and d20 -v), and is
# stopped at the end.
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh
[ "$(id -u)" = 0 ] || { notok "runs as root (inetd starts d20d as root, which drops to nobody)"; exit 1; }
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
cache=${D20_CACHE:-$BUILD/cache}

# free_port, wait_port PORT [TENTHS]
. tests/ports.sh

# stop PID: SIGTERM, then SIGKILL after 5 s.
stop()
{
	kill "$1" 2>/dev/null
	i=0
	while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# serve NAME PORT: the answers of the server on PORT, checked.
serve()
{
	out=$(python3 tests/deploy_answer.py 127.0.0.1 "$2" 5)
	check $? "$1: 10 answers through d20d -i (D20 and Pollen) match their challenges${out:+ ($out)}"
	"$bin/d20" -v -o /dev/null "http://127.0.0.1:$2/" >"$tmp/d20-$1.log" 2>&1
	check $? "$1: d20 verifies the answer"
}

pids=
cleanup_more='for p in $pids; do kill -9 $p 2>/dev/null; done'

# ---- openbsd-inetd ----
inetd=/usr/sbin/inetd
if [ "$(dpkg-query -W -f='${Status}' openbsd-inetd 2>/dev/null)" = "install ok installed" ] && [ -x "$inetd" ]; then
	port=$(free_port)
	# 27184 -> 127.0.0.1:PORT (openbsd-inetd's host:service form).
	sed -e "s|^27184[[:space:]]|127.0.0.1:$port	|" -e "s|/usr/local/sbin/d20d|$bin/d20d|" \
		dist/inetd.conf >"$tmp/inetd.conf"
	grep -q "^127.0.0.1:$port[[:space:]]*stream[[:space:]]*tcp[[:space:]]*nowait[[:space:]]*root[[:space:]]*$bin/d20d[[:space:]]*d20d -i -S$" "$tmp/inetd.conf"
	check $? "inetd.conf: dist/'s line with only the port and d20d's path changed"
	# -d: debug, in the foreground, to stderr; -i: no daemon.
	"$inetd" -d -i "$tmp/inetd.conf" >"$tmp/inetd.log" 2>&1 &
	ipid=$!
	pids="$pids $ipid"
	wait_port "$port"
	check $? "openbsd-inetd $(dpkg-query -W -f='${Version}' openbsd-inetd) listens on 127.0.0.1:$port"
	serve openbsd-inetd "$port"
	kill -0 "$ipid" 2>/dev/null
	check $? "openbsd-inetd still runs"
	stop "$ipid"
	[ "$failed" = 0 ] || sed 's/^/# inetd: /' "$tmp/inetd.log" | tail -n 20
else
	notok "openbsd-inetd is installed (tools/deps.sh check installs it)"
fi

# ---- xinetd ----
xdir=$cache/xinetd
xinetd=$xdir/root/usr/sbin/xinetd
if ! [ -x "$xinetd" ]; then
	rm -rf "$xdir"
	mkdir -p "$xdir"
	# apt-get download as root writes where _apt cannot read: say so quietly.
	# Once more after apt-get update when apt's lists are missing or old.
	{ (cd "$xdir" && apt-get download -q xinetd) >"$tmp/xinetd-get.log" 2>&1 ||
		{ apt-get update -q >/dev/null 2>&1 &&
			(cd "$xdir" && apt-get download -q xinetd) >"$tmp/xinetd-get.log" 2>&1; }; } &&
		dpkg-deb -x "$xdir"/xinetd_*.deb "$xdir/root"
	check $? "xinetd's package downloaded and unpacked in $xdir"
fi
if [ -x "$xinetd" ]; then
	port=$(free_port)
	# port, server and a bind to loopback; the rest of dist/'s file as is.
	sed -e "s|^\([[:space:]]*port[[:space:]]*=\).*|\1 $port\\
	bind		= 127.0.0.1|" -e "s|/usr/local/sbin/d20d|$bin/d20d|" \
		dist/d20d.xinetd >"$tmp/xinetd.conf"
	diff dist/d20d.xinetd "$tmp/xinetd.conf" | grep '^[<>]' >"$tmp/xinetd.diff"
	[ "$(grep -c '^<' "$tmp/xinetd.diff")" = 2 ] && [ "$(grep -c '^>' "$tmp/xinetd.diff")" = 3 ] &&
		grep -q "server[[:space:]]*= $bin/d20d" "$tmp/xinetd.conf"
	check $? "xinetd: dist/d20d.xinetd with only port, server and bind = 127.0.0.1 changed"
	"$xinetd" -dontfork -f "$tmp/xinetd.conf" -filelog "$tmp/xinetd.log" >"$tmp/xinetd.out" 2>&1 &
	xpid=$!
	pids="$pids $xpid"
	xver=$(dpkg-deb -f "$xdir"/xinetd_*.deb Version)
	wait_port "$port"
	check $? "xinetd $xver listens on 127.0.0.1:$port"
	serve xinetd "$port"
	kill -0 "$xpid" 2>/dev/null
	check $? "xinetd still runs"
	stop "$xpid"
	[ "$failed" = 0 ] || cat "$tmp/xinetd.out" "$tmp/xinetd.log" 2>/dev/null | sed 's/^/# xinetd: /' | tail -n 20
else
	notok "xinetd unpacked (needs apt-get download xinetd)"
fi
exit "$failed"
