#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/deploy_container.sh - dist/Containerfile, twice. First its premise
# without a container engine: a root holding nothing but the static d20d
# (no /etc, no /dev, no /proc, no libc), the Containerfile's USER and
# ENTRYPOINT, run with chroot(1) as that uid and gid. Then for real: the
# image built by Debian's podman and run as its unprivileged user on the
# host's network (never a bridge), its d20d told to listen on 127.0.0.1
# on a free port instead of 0.0.0.0:27184. Both must serve correct answers
# (checked against their challenges by tests/deploy_answer.py) and stop
# cleanly on SIGTERM. podman runs as root here with runc (crun fails on
# this machine's cgroups) and explicit rlimits (its defaults need
# CAP_SYS_RESOURCE), set in a containers.conf of the test's own.
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

# ---- the image, with podman ----
if ! command -v podman >/dev/null 2>&1; then
	notok "podman is installed (tools/deps.sh check installs it)"
	exit 1
fi
cat >"$tmp/containers.conf" <<EOC
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
EOC
export CONTAINERS_CONF="$tmp/containers.conf"
image=localhost/d20d-test-$$
name=d20d-test-$$
# The build context: the Containerfile's one file, not the whole tree.
mkdir "$tmp/ctx"
cp d20d "$tmp/ctx/d20d"
cleanup_more='kill $pid 2>/dev/null; podman rm -f -t 0 $name >/dev/null 2>&1; podman rmi -f $image >/dev/null 2>&1'
timeout 300 podman build -q -f "$cf" -t "$image" "$tmp/ctx" >"$tmp/podman-build.log" 2>&1
check $? "podman $(podman version -f '{{.Client.Version}}' 2>/dev/null) builds dist/Containerfile"
[ "$(podman image inspect -f '{{.Config.User}}' "$image" 2>/dev/null)" = "$user" ] &&
	[ "$(podman image inspect -f '{{len .RootFS.Layers}}' "$image" 2>/dev/null)" = 1 ]
check $? "the image has one layer and runs as $user"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086
entry_lo=$(echo "$entry" | sed "s/0\.0\.0\.0:27184/127.0.0.1:$port/" |
	awk '{ printf "["; for (i = 1; i <= NF; i++) printf "%s\"%s\"", (i > 1 ? "," : ""), $i; printf "]" }')
timeout 120 podman run -d --name "$name" --network host --entrypoint "$entry_lo" "$image" \
	>"$tmp/podman-run.log" 2>&1
check $? "podman run --network host (entrypoint $entry_lo)"
i=0
until python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1).close()" 2>/dev/null; do
	i=$((i + 1))
	[ "$i" -ge 100 ] && break
	sleep 0.1
done
cpid=$(podman inspect -f '{{.State.Pid}}' "$name" 2>/dev/null)
[ -n "$cpid" ] && [ "$cpid" != 0 ] && grep -q "^Uid:[[:space:]]*$uid[[:space:]]" "/proc/$cpid/status" &&
	grep -q "^Gid:[[:space:]]*$gid[[:space:]]" "/proc/$cpid/status"
check $? "d20d in the container runs as $uid:$gid"
out=$(python3 tests/deploy_answer.py 127.0.0.1 "$port" 5)
check $? "d20d in the container: 10 answers (D20 and Pollen) match their challenges${out:+ ($out)}"
./d20 -v -o /dev/null "http://127.0.0.1:$port/" >"$tmp/d20c.log" 2>&1
check $? "d20 verifies the d20d in the container"
timeout 60 podman stop -t 5 "$name" >/dev/null 2>&1
[ "$(podman inspect -f '{{.State.ExitCode}}' "$name" 2>/dev/null)" = 0 ]
check $? "the container stopped cleanly on SIGTERM (exit 0)"
podman logs "$name" >"$tmp/podman-d20d.log" 2>&1
[ "$failed" = 0 ] || sed 's/^/# /' "$tmp/podman-build.log" "$tmp/podman-run.log" "$tmp/podman-d20d.log" "$tmp/d20c.log"
exit "$failed"
