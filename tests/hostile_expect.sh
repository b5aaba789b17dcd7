# SPDX-License-Identifier: MIT
# tests/hostile_expect.sh - what d20 -v must say of each server that
# tests/hostile_server.py starts, for tests/client_hostile.sh and
# tests/valgrind.sh (sourced; defines a function and nothing else).
# hostile_expect OUT LABEL: one check per server from d20's output in
# file OUT, LABEL before each; the caller's u NAME gives a server's URL.
hostile_expect() {
	while IFS='|' read -r name want; do
		line=$(grep -F "$(u "$name"):" "$1")
		case $line in
		*"$want"*) echo "ok - $2$name server: $want" ;;
		*) echo "not ok - $2$name server: want '$want', got '$line'" ;;
		esac
	done <<'LIST'
d20|verified, d20 over http
pollen|verified, pollen over http
d20-nolength|verified, d20 over http
d20-early|verified, d20 over http
d20-error|failed: server answered an error object
wrongcr|failed: wrong challengeResponse
garbage|failed: not an HTTP/1.x status line
huge|failed: answer over 24576 bytes
drip|failed: timed out while reading the answer
silent|failed: timed out while reading the answer
midclose|failed: answer cut short before Content-Length
notfound|failed: HTTP status 404
bigbody|failed: body over 20480 bytes
dupkey|failed: JSON: duplicate key
pollen-wrong|failed: Pollen: line 1 is not SHA-512 of the challenge
LIST
}
