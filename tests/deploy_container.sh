#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/deploy_container.sh - the premise of dist/Containerfile without a
# container engine: a root holding nothing but the static d20d (no /etc, no
# /dev, no /proc, no libc), the Containerfile's USER and ENTRYPOINT, run
# with chroot(1) as that uid and gid. It must serve correct answers (checked
# against their challenges by tests/deploy_answer.py) on 127.0.0.1.
cd "$(dirname "$0")/.." || exit 1
. tests/boot_lib.sh
[ "$(id -u)" = 0 ] || { notok "runs as root (chroot)"; exit 1; }
cf=dist/Containerfile

grep -qx 'FROM scratch' "$cf" && grep -qx 'COPY d20d /d20d' "$cf" && grep -qx 'EXPOSE 27184' "$cf"
check $? "Containerfile: FROM scratch, only /d20d copied, EXPOSE 27184"
user=$(sed -n 's/^USER //p' "$cf")
uid=${user%%:*} gid=${user#*:}
[ -n "$uid" ] && [ "$uid" != 0 ] && [ "$gid" != 0 ]
check $? "Containerfile: USER is unprivileged ($user)"
# ENTRYPOINT ["/d20d", "-l", "0.0.0.0:27184"] as words.
entry=$(sed -n 's/^ENTRYPOINT \[\(.*\)\]$/\1/p' "$cf" | tr -d '",')
[ "${entry%% *}" = /d20d ]
check $? "Containerfile: ENTRYPOINT runs /d20d ($entry)"

root=$tmp/root
mkdir -m 755 "$root"
chmod 755 "$tmp"
cp d20d "$root/d20d"
chmod 755 "$root/d20d"
[ "$(cd "$root" && find . -mindepth 1)" = ./d20d ]
check $? "the root holds d20d and nothing else"

# The image listens on 0.0.0.0:27184; here only loopback, on a free port.
port=$((40000 + $$ % 20000))
# shellcheck disable=SC2046
set -- $(echo "$entry" | sed "s/0\.0\.0\.0:27184/127.0.0.1:$port/")
chroot --userspec="$uid:$gid" "$root" "$@" >"$tmp/d20d.log" 2>&1 &
pid=$!
cleanup_more='kill $pid 2>/dev/null'
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -ge 50 ] && break
	sleep 0.1
done

[ "$(stat -c %u:%g "/proc/$pid")" = "$uid:$gid" ] && [ "$(readlink "/proc/$pid/root")" = "$root" ]
check $? "d20d runs as $uid:$gid with the empty tree as its root"
out=$(python3 tests/deploy_answer.py 127.0.0.1 "$port" 5)
check $? "d20d in the empty root: 10 answers (D20 and Pollen) match their challenges${out:+ ($out)}"
./d20 -v -o /dev/null "http://127.0.0.1:$port/" >"$tmp/d20.log" 2>&1
check $? "d20 verifies the d20d in the empty root"
kill -0 "$pid" 2>/dev/null
check $? "d20d is still serving"
kill "$pid"
i=0
while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
wait "$pid"
check $? "d20d stopped cleanly on SIGTERM (exit 0)"
[ "$failed" = 0 ] || sed 's/^/# /' "$tmp/d20d.log" "$tmp/d20.log"
exit "$failed"
