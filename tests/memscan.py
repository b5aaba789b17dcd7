#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/memscan.py - the helper of tests/server_keysep.sh.

  memscan.py scan KEY PID...      search each process's whole memory for
                                  the private key's secret numbers
  memscan.py hammer PORT CA N [UNTIL]
                                  N TLS requests to 127.0.0.1:PORT, 4 at a
                                  time, verified against CA; prints the
                                  number that verified. With UNTIL, a file:
                                  at least N, then on until UNTIL exists
                                  (at most 120 s), and prints "VERIFIED MADE"

scan reads /proc/PID/maps and every readable mapping through /proc/PID/mem
(root only: the processes run as another user and are not dumpable), and
prints one line per process: "PID COMM FOUND TOTAL names-found". The
needles are the numbers as big-endian bytes without leading zeros, the way
a PEM key carries them and BearSSL keeps them after decoding: for an EC key
the private scalar, for RSA the two primes and the three CRT values (the
private exponent d, which BearSSL drops, is not looked for)."""
import os
import re
import socket
import ssl
import subprocess
import sys
import threading
import time

RSA_PARTS = ("prime1", "prime2", "exponent1", "exponent2", "coefficient")


def needles(keyfile):
    text = subprocess.run(["openssl", "pkey", "-in", keyfile, "-text", "-noout"],
                          capture_output=True, check=True, timeout=30).stdout.decode()
    fields, name = {}, None
    for line in text.splitlines():
        m = re.match(r"^([A-Za-z0-9]+):\s*$", line)
        if m:
            name = m.group(1)
            fields[name] = ""
        elif name and re.match(r"^\s+[0-9a-f:]+$", line):
            fields[name] += line.strip()
        else:
            name = None
    wanted = ("priv",) if "priv" in fields else RSA_PARTS
    out = {}
    for k in wanted:
        b = bytes.fromhex(fields[k].replace(":", "")).lstrip(b"\0")
        if len(b) < 16:
            raise SystemExit("memscan: %s of %s is too short to look for" % (k, keyfile))
        out[k] = b
    if not out:
        raise SystemExit("memscan: no secret numbers in %s" % keyfile)
    return out


def memory(pid):
    """Every readable mapping of pid, as one list of byte strings."""
    parts = []
    with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            f = line.split()
            if f[1][0] != "r" or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]", "[vvar_vclock]")):
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            try:
                mem.seek(lo)
                parts.append(mem.read(hi - lo))
            except (OSError, ValueError, OverflowError):
                pass
    return parts


def scan(keyfile, pids):
    ns = needles(keyfile)
    for pid in pids:
        try:
            comm = open("/proc/%d/comm" % pid).read().strip()
            parts = memory(pid)
        except OSError as e:
            print("%d gone 0 %d %s" % (pid, len(ns), e.strerror.replace(" ", "_")))
            continue
        found = [k for k, b in ns.items() if any(b in p for p in parts)]
        print("%d %s %d %d %s" % (pid, comm, len(found), len(ns), ",".join(found) or "-"),
              flush=True)


def hammer(port, ca, n, until=None):
    ctx = ssl.create_default_context(cafile=ca)
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    lock = threading.Lock()
    count = {"left": n, "ok": 0, "made": 0}
    deadline = time.monotonic() + 120

    def one():
        with socket.create_connection(("127.0.0.1", port), 5) as raw:
            raw.settimeout(5)
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(b"GET /api/status HTTP/1.0\r\n\r\n")
                data = b""
                while len(data) < 65536:
                    b = s.recv(4096)
                    if not b:
                        break
                    data += b
                return data.startswith(b"HTTP/1.0 200")

    def run():
        while True:
            with lock:
                if count["left"] == 0:
                    if (until is None or os.path.exists(until)
                            or time.monotonic() > deadline):
                        return
                else:
                    count["left"] -= 1
                count["made"] += 1
            try:
                good = one()
            except (OSError, ssl.SSLError):
                good = False
            with lock:
                count["ok"] += good

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(count["ok"] if until is None else "%d %d" % (count["ok"], count["made"]))


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "scan":
        scan(sys.argv[2], [int(p) for p in sys.argv[3:]])
    elif len(sys.argv) in (5, 6) and sys.argv[1] == "hammer":
        hammer(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), *sys.argv[5:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
