#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/deploy_systemd.sh - the systemd units in dist/, as make install
# writes them: systemd-analyze verify on all of them, then d20d started the
# way each socket unit starts it, under Debian's systemd-socket-activate on
# 127.0.0.1, as an unprivileged user (the units say DynamicUser=yes):
#   d20d.socket (Accept=yes) + d20d@.service: --inetd -a, one d20d -i per
#   connection on standard input and output;
#   d20d-daemon.socket (Accept=no) + d20d.service: one d20d given the
#   listening socket in LISTEN_FDS.
# Every answer is checked against its challenge (tests/deploy_answer.py)
# and by d20 itself. Also the inetd.conf line and the xinetd file name the
# same command line.
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh
make=${MAKE:-make}
for t in systemd-socket-activate systemd-analyze setpriv python3; do
	command -v "$t" >/dev/null || { notok "$t is installed"; exit 1; }
done

# Installed into a prefix of its own, so ExecStart= names real files.
chmod 755 "$tmp"
pfx=$tmp/pfx
$make --no-print-directory -s install PREFIX="$pfx" INITRAMFSDIR="$pfx/initramfs-tools" \
	DRACUTDIR="$pfx/dracut" >"$tmp/install.log" 2>&1
check $? "make install PREFIX=$pfx"
units=$pfx/lib/systemd/system

# systemd-analyze verify works without systemd as PID 1: it loads the units
# and their dependencies in a test manager. Warnings fail too.
(cd "$units" && systemd-analyze verify --man=no ./*) >"$tmp/verify.log" 2>&1
rc=$?
[ "$rc" = 0 ] && ! [ -s "$tmp/verify.log" ]
check $? "systemd-analyze verify: all $(ls "$units" | wc -l) units load without a warning"
sed 's/^/# /' "$tmp/verify.log"

# d20.service beside cloud-init's units: stand-ins carrying the ordering
# of Debian bookworm's cloud-init 22.4 (cloud-init.service runs before
# sysinit.target and network-online.target, and makes the ssh host keys).
# A d20.service with default dependencies, or After=network-online.target,
# and Before=cloud-init.service would be an ordering cycle; verify starts
# each unit in a test transaction and reports one.
ci=$tmp/cloud-init
mkdir "$ci"
cp "$units/d20.service" "$ci/"
printf '[Unit]\nDescription=stand-in\nDefaultDependencies=no\nWants=network-pre.target\nAfter=systemd-remount-fs.service\nBefore=network-pre.target sysinit.target shutdown.target\nConflicts=shutdown.target\n[Service]\nType=oneshot\nExecStart=/bin/true\n' \
	>"$ci/cloud-init-local.service"
printf '[Unit]\nDescription=stand-in\nDefaultDependencies=no\nWants=cloud-init-local.service\nAfter=cloud-init-local.service systemd-networkd-wait-online.service networking.service\nBefore=network-online.target sshd.service sysinit.target shutdown.target\nConflicts=shutdown.target\n[Service]\nType=oneshot\nExecStart=/bin/true\n' \
	>"$ci/cloud-init.service"
(cd "$ci" && systemd-analyze verify --man=no ./d20.service ./cloud-init.service \
	./cloud-init-local.service) >"$tmp/verify-ci.log" 2>&1
rc=$?
[ "$rc" = 0 ] && ! [ -s "$tmp/verify-ci.log" ]
check $? "systemd-analyze verify: d20.service with cloud-init's ordering, no cycle"
sed 's/^/# /' "$tmp/verify-ci.log"
grep -q '^Before=.*cloud-init\.service' "$ci/d20.service" &&
	! grep -q '^After=.*network-online\.target' "$ci/d20.service"
check $? "d20.service is ordered before cloud-init.service, not after network-online.target"

key()
{
	sed -n "s/^$2=//p" "$units/$1"
}
[ "$(key d20d.socket Accept)" = yes ] && [ "$(key d20d@.service StandardInput)" = socket ] &&
	[ "$(key d20d-daemon.socket Accept)" = no ] && [ "$(key d20d-daemon.socket Service)" = d20d.service ]
check $? "d20d.socket accepts (d20d@.service on stdin), d20d-daemon.socket passes its socket to d20d.service"

base=$((20000 + $$ % 20000))
pids=
cleanup_more='for p in $pids; do kill "$p" 2>/dev/null; done'

# serve NAME PORT ACTIVATE-OPTIONS...: start d20d as the unit's ExecStart
# says, under systemd-socket-activate, as uid and gid 65534.
serve()
{
	name=$1 port=$2
	shift 2
	cmd=$(key "$name" ExecStart)
	# shellcheck disable=SC2086
	systemd-socket-activate -l "127.0.0.1:$port" "$@" \
		setpriv --reuid=65534 --regid=65534 --clear-groups $cmd \
		>"$tmp/$name.log" 2>&1 &
	pids="$pids $!"
	i=0
	until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge 50 ] && break
		sleep 0.1
	done
	echo "# $name: systemd-socket-activate -l 127.0.0.1:$port $* ... $cmd"
}

# answers NAME PORT: real answers, checked two ways.
answers()
{
	out=$(python3 tests/deploy_answer.py 127.0.0.1 "$2" 3)
	check $? "$1: 6 answers (D20 and Pollen) match their challenges${out:+ ($out)}"
	d20=$(key d20.service ExecStart)
	# shellcheck disable=SC2086
	$d20 -v -o /dev/null "http://127.0.0.1:$2/" "http://127.0.0.1:$2/pollen" >"$tmp/d20.log" 2>&1
	rc=$?
	[ "$rc" = 0 ] && [ "$(grep -c ': verified, ' "$tmp/d20.log")" = 2 ]
	check $? "$1: d20 (d20.service's command) verifies both protocols"
	[ "$rc" = 0 ] || sed 's/^/# /' "$tmp/d20.log"
}

# Accept=yes: one d20d -i per connection.
serve 'd20d@.service' "$base" --inetd -a
answers "Accept=yes" "$base"

# Accept=no: one d20d for all connections.
serve d20d.service "$((base + 1))"
answers "Accept=no" "$((base + 1))"
set -- $pids
kill -0 "$2" 2>/dev/null
check $? "Accept=no: d20d still serves after the answers"
# Without -a, systemd-socket-activate execs the command in place: the pid
# is d20d's own, which served all the connections above.
exe=$(readlink "/proc/$2/exe")
[ "${exe##*/}" = d20d ]
check $? "Accept=no: the one process serving is d20d (${exe:-gone})"

# inetd and xinetd run the same command as d20d@.service, as root (d20d
# then chroots and drops to nobody itself) with -S for syslog.
awk '!/^#/ && NF { exit !($2 == "stream" && $4 == "nowait" && $6 == "/usr/local/sbin/d20d" && $7 == "d20d" && $8 == "-i") }' dist/inetd.conf
check $? "dist/inetd.conf runs d20d -i, nowait"
grep -q 'server[[:space:]]*= /usr/local/sbin/d20d' dist/d20d.xinetd &&
	grep -q 'server_args[[:space:]]*= -i' dist/d20d.xinetd &&
	grep -q 'wait[[:space:]]*= no' dist/d20d.xinetd
check $? "dist/d20d.xinetd runs d20d -i, wait = no"

exit "$failed"
