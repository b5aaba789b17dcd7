#!/bin/sh
# SPDX-License-Identifier: MIT
# tools/demo.sh - the README's run command: start a d20d on loopback, ask
# it with d20 -v (feeding the kernel when root, printing the seed in hex
# otherwise), then stop the server. Run from the top folder after a build.
set -u
cd "$(dirname "$0")/.." || exit 1
port=${D20_DEMO_PORT:-27184}
log=$(mktemp)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -f "$log" "$log.seed"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

echo "# ./d20d -l 127.0.0.1:$port &"
./d20d -l "127.0.0.1:$port" 2>"$log" &
pid=$!
n=0
until grep -q listening "$log"; do
	n=$((n + 1))
	if [ $n -ge 50 ] || ! kill -0 "$pid" 2>/dev/null; then
		cat "$log" >&2
		echo "demo: d20d did not start on 127.0.0.1:$port (set D20_DEMO_PORT)" >&2
		exit 1
	fi
	sleep 0.1
done

if [ "$(id -u)" = 0 ]; then
	echo "# ./d20 -v http://127.0.0.1:$port/    (root: seeds the kernel)"
	./d20 -v "http://127.0.0.1:$port/"
	rc=$?
else
	echo "# ./d20 -v -o - http://127.0.0.1:$port/ | od -An -tx1    (not root: the seed, in hex)"
	./d20 -v -o "$log.seed" "http://127.0.0.1:$port/"
	rc=$?
	[ -s "$log.seed" ] && od -An -tx1 "$log.seed"
fi
sleep 0.1
sed 's/^/d20d: /' "$log"
exit $rc
