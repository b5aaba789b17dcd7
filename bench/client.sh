#!/bin/sh
# bench/client.sh - one d20 exchange with a local d20d (HTTP, and HTTPS
# with an EC certificate and a pin when built with TLS) beside Debian's
# pollinate against the same server in the same run, timed by hyperfine;
# a Markdown table with ratios and the binary sizes. Numbers, not a test.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
work=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

free_port() {
	python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"
}
hp=$(free_port)
sp=$(free_port)
tls=0
./d20 --version | grep -q ' tls$' && tls=1
set -- -l "127.0.0.1:$hp"
if [ $tls = 1 ]; then
	openssl ecparam -name prime256v1 -genkey -noout -out "$work/srv.key" 2>/dev/null
	openssl req -x509 -new -key "$work/srv.key" -subj /CN=localhost -days 2 \
		-out "$work/srv.pem" 2>/dev/null
	pin="sha256//$(openssl pkey -in "$work/srv.key" -pubout -outform der |
		openssl dgst -sha256 -binary | base64)"
	set -- "$@" -L "127.0.0.1:$sp" --cert "$work/srv.pem" --key "$work/srv.key"
fi
./d20d -q "$@" 2>"$work/d20d.log" &
pid=$!
n=0
until ./d20 -q -o /dev/null --timeout 1 "http://127.0.0.1:$hp/" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 50 ] || { cat "$work/d20d.log" >&2; echo "d20d did not start" >&2; exit 1; }
	sleep 0.1
done

# pollinate must really get its answer, or its time means nothing.
if ! pollinate --testing --server "http://127.0.0.1:$hp/" >/dev/null 2>"$work/poll.err"; then
	cat "$work/poll.err" >&2
	echo "pollinate failed against d20d" >&2
	exit 1
fi

set -- -n "d20 http" "./d20 -q -o /dev/null http://127.0.0.1:$hp/"
[ $tls = 1 ] && set -- "$@" -n "d20 https+pin" \
	"./d20 -q -o /dev/null --pin $pin https://127.0.0.1:$sp/"
set -- "$@" -n "pollinate http" "pollinate --testing --server http://127.0.0.1:$hp/"
hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$work/h.json" "$@" >/dev/null 2>&1 ||
	hyperfine --warmup 10 --runs "$RUNS" --export-json "$work/h.json" "$@" >/dev/null

python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = next(x for x in r if x["command"] == "pollinate http")
print("| one exchange with a local d20d | wall ms (mean ± sd) | CPU ms (user+sys) | pollinate / this |")
print("| --- | ---: | ---: | ---: |")
for x in r:
    cpu = (x["user"] + x["system"]) * 1e3
    print("| %s | %.2f ± %.2f | %.2f | %.1fx |" % (x["command"], x["mean"] * 1e3,
          x["stddev"] * 1e3, cpu, base["mean"] / x["mean"]))
PY
echo
echo "| binary | bytes |"
echo "| --- | ---: |"
echo "| d20 (this build) | $(wc -c < d20) |"
[ -f build/tls0/d20 ] && echo "| d20 TLS=0 | $(wc -c < build/tls0/d20) |"
echo "| pollinate (shell script; runs curl, sha512sum, awk...) | $(wc -c < "$(command -v pollinate)") |"
