#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/balancer_client.py - the clients of tests/balancer.sh, each from a
loopback source address of its own, so that d20d's logs and its -C cap
can tell the client's address from the balancer's.

  ask SRC HOST PORT N            N verified D20 answers (challengeResponse
                                 = SHA-512(C || time)); prints nothing
  cap SRC OTHER HOST PORT K      K connections from SRC that stall mid-
                                 request, then one more from SRC (503
                                 expected) and one from OTHER (200), then
                                 the K finish (200 each); prints statuses
  raw SRC HOST PORT KIND         send one PROXY header of KIND (v1, v2,
                                 bad) and a request; prints the status
                                 line, or "closed" when none came
  inetd D20D KIND                D20D -i --proxy-from 127.0.0.1/32 on a
                                 connection from 127.0.0.1 that sends a
                                 PROXY header of KIND and a request;
                                 prints the status line and d20d's log
  load SRCS HOST PORT N C GAP KILL PIDS
                                 N verified requests, C at a time, each
                                 worker from one of SRCS (comma list) and
                                 pausing GAP ms after each request;
                                 after KILL of them have ended, SIGKILL
                                 PIDS (comma list) and their children.
                                 Prints the figures; exit 0 when every
                                 failure was in flight at the kill
Every socket has a timeout, so each command ends by itself."""
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

REQ_TIMEOUT = 10


def connect(src, host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(REQ_TIMEOUT)
    s.bind((src, 0))
    s.connect((host, port))
    return s


def read_all(s):
    data = b""
    while True:
        try:
            b = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not b:
            break
        data += b
    return data


def status_of(data):
    return data.split(b"\r\n")[0].decode(errors="replace") if data else "closed"


def verified(src, host, port):
    """One D20 request; raises on anything but a verified answer."""
    c = os.urandom(32).hex()
    with connect(src, host, port) as s:
        s.sendall(("GET /api/entropy?challenge=%s HTTP/1.0\r\nHost: d20\r\n\r\n"
                   % c).encode())
        data = read_all(s)
    head, _, body = data.partition(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.") or b" 200 " not in head.split(b"\r\n")[0] + b" ":
        raise ValueError("status %r" % status_of(data))
    j = json.loads(body)
    if j["challengeResponse"] != hashlib.sha512((c + j["time"]).encode()).hexdigest():
        raise ValueError("challengeResponse does not match")
    if len(j["entropy"]) != 1024:
        raise ValueError("entropy of %d hex digits" % len(j["entropy"]))
    return j["entropy"]


def ask(src, host, port, n):
    seen = set()
    for _ in range(n):
        seen.add(verified(src, host, port))
    if len(seen) != n:
        raise ValueError("the same entropy twice")


def cap(src, other, host, port, k):
    stalled = []
    for _ in range(k):
        s = connect(src, host, port)
        s.sendall(b"GET /api/status HTTP/1.0\r\n")
        stalled.append(s)
        time.sleep(0.3)     # the balancer connects, d20d counts it
    with connect(src, host, port) as s:
        s.sendall(b"GET /api/status HTTP/1.0\r\n\r\n")
        extra = status_of(read_all(s))
    with connect(other, host, port) as s:
        s.sendall(b"GET /api/status HTTP/1.0\r\n\r\n")
        second = status_of(read_all(s))
    done = []
    for s in stalled:
        s.sendall(b"\r\n")
        done.append(status_of(read_all(s)))
        s.close()
    print("extra=%s" % extra.replace(" ", "_"))
    print("other=%s" % second.replace(" ", "_"))
    print("stalled=%s" % ",".join(d.replace(" ", "_") for d in done))


HEADERS = {
    "v1": b"PROXY TCP4 192.0.2.7 127.0.0.1 40000 27184\r\n",
    "v2": (b"\r\n\r\n\x00\r\nQUIT\n\x21\x11\x00\x0c" + bytes([192, 0, 2, 7, 127, 0, 0, 1])
           + b"\x9c\x40\x6a\x30"),
    "bad": b"PROXY TCP4 192.0.2.7 127.0.0.1 040000 27184\r\n",
}


def raw(src, host, port, kind):
    with connect(src, host, port) as s:
        s.sendall(HEADERS[kind] + b"GET /api/status HTTP/1.0\r\n\r\n")
        print(status_of(read_all(s)))


def inetd(d20d, kind):
    with socket.socket() as lst:
        lst.bind(("127.0.0.1", 0))
        lst.listen(1)
        with connect("127.0.0.1", "127.0.0.1", lst.getsockname()[1]) as c:
            a, _ = lst.accept()
            p = subprocess.Popen([d20d, "-i", "--proxy-from", "127.0.0.1/32"], stdin=a,
                                 stdout=a, stderr=subprocess.PIPE)
            a.close()
            c.sendall(HEADERS[kind] + b"GET /api/status HTTP/1.0\r\n\r\n")
            print(status_of(read_all(c)))
    try:
        err = p.communicate(timeout=REQ_TIMEOUT)[1]
    except subprocess.TimeoutExpired:
        p.kill()
        err = p.communicate()[1]
    sys.stdout.write(err.decode(errors="replace"))


def family(pid):
    """pid and every process below it (from /proc/*/stat)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(c for c, pp in parent.items() if pp == p)
    return out


def alive(pid):
    """False once pid is gone or a zombie (its sockets closed)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def load(srcs, host, port, n, conc, gap, kill_after, pids):
    lock = threading.Lock()
    st = {"next": 0, "ended": 0, "ok": 0, "failed": 0, "busy": 0, "killed": False,
          "in_flight": 0, "errors": [], "after": 0, "after_failed": 0, "slowest": 0.0}

    def worker(src):
        while True:
            with lock:
                if st["next"] >= n:
                    return
                st["next"] += 1
                st["busy"] += 1
                started_after = st["killed"]
            t0 = time.monotonic()
            try:
                verified(src, host, port)
                good = True
            except Exception as e:      # noqa: BLE001 - counted and shown
                good = False
                err = "%s: %s" % (type(e).__name__, e)
            dt = time.monotonic() - t0
            time.sleep(gap / 1000.0)
            with lock:
                st["busy"] -= 1
                st["ended"] += 1
                st["ok" if good else "failed"] += 1
                if not good:
                    st["errors"].append(("after" if started_after else "before") + " kill: " + err)
                if started_after:
                    st["after"] += 1
                    st["after_failed"] += 0 if good else 1
                    st["slowest"] = max(st["slowest"], dt)
                if st["ended"] >= kill_after and not st["killed"]:
                    # no request starts until they are dead (the lock is
                    # held): the ones under way are those in flight
                    st["killed"] = True
                    st["in_flight"] = st["busy"]
                    victims = [q for p in pids for q in family(p)]
                    for q in victims:
                        try:
                            os.kill(q, signal.SIGKILL)
                        except ProcessLookupError:
                            pass
                    deadline = time.monotonic() + 5
                    while any(alive(q) for q in victims) and time.monotonic() < deadline:
                        time.sleep(0.01)

    t0 = time.monotonic()
    threads = [threading.Thread(target=worker, args=(srcs[i % len(srcs)],)) for i in range(conc)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    secs = time.monotonic() - t0
    print("sent=%d ok=%d failed=%d in_flight_at_kill=%d started_after_kill=%d "
          "failed_after_kill=%d slowest_after_kill_ms=%d seconds=%.1f" % (
              st["next"], st["ok"], st["failed"], st["in_flight"], st["after"],
              st["after_failed"], st["slowest"] * 1000, secs))
    for e in st["errors"][:10]:
        print("# " + e)
    return 0 if st["killed"] and st["failed"] <= st["in_flight"] and \
        st["after_failed"] == 0 and st["ok"] + st["failed"] == n else 1


def main():
    a = sys.argv[1:]
    try:
        if a[0] == "ask":
            ask(a[1], a[2], int(a[3]), int(a[4]))
        elif a[0] == "cap":
            cap(a[1], a[2], a[3], int(a[4]), int(a[5]))
        elif a[0] == "raw":
            raw(a[1], a[2], int(a[3]), a[4])
        elif a[0] == "inetd":
            inetd(a[1], a[2])
        elif a[0] == "load":
            return load(a[1].split(","), a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6]),
                        int(a[7]), [int(p) for p in a[8].split(",")])
    except Exception as e:      # noqa: BLE001 - one reason, exit 1
        print("%s: %s" % (type(e).__name__, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
