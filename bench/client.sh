#!/bin/sh
# SPDX-License-Identifier: MIT
# bench/client.sh - one d20 exchange with a local d20d (HTTP, and HTTPS
# with an EC certificate, checked by a pin and by the certificate as its
# CA, when built with TLS) beside Debian's pollinate (HTTP, and HTTPS
# with curl checking the same CA) against the same server in the same run: wall and CPU time
# (hyperfine, RUNS runs each; CPU is user+sys of the whole process tree),
# the processes each one makes and the programs it executes (strace -f of
# one exchange: every fork, vfork or clone that is not a thread, plus the
# first process; every execve that succeeded), and the peak RSS of its
# largest process (GNU time, the most of 3 runs: for pollinate the largest
# of its shell, curl and the other tools it runs, not their sum).
# Prints a Markdown table with ratios. With RSS_OUT=FILE the peak RSS
# rows are also appended there. D20 and D20D name the binaries (./d20,
# ./d20d). Numbers, not a test.
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-200}
D20=$(realpath "${D20:-./d20}")
D20D=$(realpath "${D20D:-./d20d}")
for t in hyperfine pollinate strace openssl python3; do
	command -v $t >/dev/null 2>&1 || { echo "bench: $t missing (make bench-client installs it)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time missing (make bench-client installs it)" >&2; exit 1; }
work=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM PIPE

# shellcheck source=tests/ports.sh
. tests/ports.sh
hp=$(free_port)
sp=$(free_port)
tls=0
"$D20" --version | grep -q ' tls$' && tls=1
set -- -l "127.0.0.1:$hp"
if [ $tls = 1 ]; then
	openssl ecparam -name prime256v1 -genkey -noout -out "$work/srv.key" 2>/dev/null
	openssl req -x509 -new -key "$work/srv.key" -subj /CN=localhost -days 2 \
		-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -out "$work/srv.pem" 2>/dev/null
	pin="sha256//$(openssl pkey -in "$work/srv.key" -pubout -outform der |
		openssl dgst -sha256 -binary | base64)"
	set -- "$@" -L "127.0.0.1:$sp" --cert "$work/srv.pem" --key "$work/srv.key"
fi
"$D20D" -q "$@" 2>"$work/d20d.log" &
pid=$!
n=0
until "$D20" -q -o /dev/null --timeout 1 "http://127.0.0.1:$hp/" 2>/dev/null; do
	n=$((n + 1))
	[ $n -lt 50 ] || { cat "$work/d20d.log" >&2; echo "d20d did not start" >&2; exit 1; }
	sleep 0.1
done

# pollinate and d20 must really get their answers, or their times mean
# nothing.
if ! pollinate --testing --server "http://127.0.0.1:$hp/" >/dev/null 2>"$work/poll.err"; then
	cat "$work/poll.err" >&2
	echo "pollinate failed against d20d" >&2
	exit 1
fi
if [ $tls = 1 ]; then
	pollinate --testing --curl-opts "--cacert=$work/srv.pem" --server "https://localhost:$sp/" \
		>/dev/null 2>"$work/poll.err" || { cat "$work/poll.err" >&2; echo "pollinate failed over https" >&2; exit 1; }
	"$D20" -q -o /dev/null --ca "$work/srv.pem" "https://localhost:$sp/" ||
		{ echo "d20 https+CA failed" >&2; exit 1; }
	"$D20" -q -o /dev/null --pin "$pin" "https://127.0.0.1:$sp/" ||
		{ echo "d20 https+pin failed" >&2; exit 1; }
fi

# name<TAB>command, one a line
{
	printf 'd20 http\t%s -q -o /dev/null http://127.0.0.1:%s/\n' "$D20" "$hp"
	[ $tls = 1 ] && printf 'd20 https+pin\t%s -q -o /dev/null --pin %s https://127.0.0.1:%s/\n' "$D20" "$pin" "$sp"
	[ $tls = 1 ] && printf 'd20 https+CA\t%s -q -o /dev/null --ca %s https://localhost:%s/\n' "$D20" "$work/srv.pem" "$sp"
	printf 'pollinate http\tpollinate --testing --server http://127.0.0.1:%s/\n' "$hp"
	[ $tls = 1 ] && printf 'pollinate https\tpollinate --testing --curl-opts --cacert=%s --server https://localhost:%s/\n' \
		"$work/srv.pem" "$sp"
} >"$work/cmds"

set --
while IFS="$(printf '\t')" read -r name cmd; do set -- "$@" -n "$name" "$cmd"; done <"$work/cmds"
hyperfine -N --warmup 10 --runs "$RUNS" --export-json "$work/h.json" "$@" >/dev/null 2>&1 ||
	hyperfine --warmup 10 --runs "$RUNS" --export-json "$work/h.json" "$@" >/dev/null

# processes, programs and peak RSS: "name procs execs rss_kib"
: >"$work/counts"
while IFS="$(printf '\t')" read -r name cmd; do
	# shellcheck disable=SC2086
	strace -f -qq -o "$work/st" -e trace=fork,vfork,clone,clone3,execve $cmd >/dev/null 2>&1 </dev/null ||
		{ echo "bench: $name failed under strace" >&2; exit 1; }
	# a process is a new pid: the first one, and each fork, vfork or
	# clone without CLONE_THREAD; clone3 shows its flags as a struct
	counts=$(awk '
		$2 ~ /^(fork|vfork|clone|clone3)\(/ && !/CLONE_THREAD/ { spawned++ }
		$2 ~ /^execve\(/ && !/unfinished/ && / = 0$/ { execs++ }
		/<\.\.\. execve resumed>.* = 0$/ { execs++ }
		END { print spawned + 1, execs + 0 }' "$work/st")
	rss=0
	for _ in 1 2 3; do
		# shellcheck disable=SC2086
		r=$(/usr/bin/time -f %M -o "$work/t" $cmd >/dev/null 2>&1 </dev/null && cat "$work/t")
		[ "${r:-0}" -gt "$rss" ] && rss=$r
	done
	echo "$(echo "$name" | tr ' ' _) $counts $rss" >>"$work/counts"
done <"$work/cmds"

python3 - "$work/h.json" "$work/counts" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
counts = {}
for line in open(sys.argv[2]):
    name, procs, execs, rss = line.split()
    counts[name.replace("_", " ")] = (int(procs), int(execs), int(rss))
base = next(x for x in r if x["command"] == "pollinate http")
bcpu = base["user"] + base["system"]
https = next((x for x in r if x["command"] == "pollinate https"), None)
print("| one exchange with a local d20d | wall ms (mean ± sd) | CPU ms (user+sys) | processes | programs executed | largest process peak RSS KiB | pollinate / this, wall | pollinate / this, CPU |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for x in r:
    # HTTPS against pollinate over HTTPS, HTTP against pollinate over HTTP
    b = https if (https and "https" in x["command"]) else base
    bcpu = b["user"] + b["system"]
    cpu = x["user"] + x["system"]
    p, e, m = counts[x["command"]]
    print("| %s | %.2f ± %.2f | %.2f | %d | %d | %d | %.1fx | %.1fx |" % (x["command"],
          x["mean"] * 1e3, x["stddev"] * 1e3, cpu * 1e3, p, e, m,
          b["mean"] / x["mean"], bcpu / cpu if cpu > 0 else 0))
PY
if [ -n "${RSS_OUT:-}" ]; then
	awk '{ n = $1; gsub(/_/, " ", n); rss[NR] = $4; name[NR] = n; if (n == "pollinate http") bh = $4
		if (n == "pollinate https") bs = $4 }
	END { for (i = 1; i <= NR; i++) {
		base = (bs && name[i] ~ /https/) ? bs : bh
		r = (name[i] ~ /^pollinate/ || !rss[i]) ? "" : sprintf("pollinate / this: %.1fx", base / rss[i])
		printf "| %s, one exchange, largest process (client) | %d | %s |\n", name[i], rss[i], r } }' \
		"$work/counts" >>"$RSS_OUT"
fi
