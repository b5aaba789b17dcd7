#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/server_metrics.py - d20d -M: a known load on loopback, then the
scraped counters must be exact, and promtool (Debian's prometheus package)
must accept the text.

The load: 1,000 HTTP requests from 8 threads (600 D20, 200 Pollen, 150
status, 40 unknown /api/ paths, and exactly 10 malformed), 16 requests
left unfinished until the -t 1 deadline answers them 408, 3 connections
over the -C cap from one address (503 from the parent), and with TLS 20
answers over HTTPS and 5 failed handshakes. A second server with one
worker has that worker killed mid-connection. Each server is killed at the
end whatever happens; every wait is bounded."""
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import server_test as st    # noqa: E402  (the Server class and HTTP helpers)
from server_test import ok, note, get, post, request, connect, read_all, \
    parse_response, check_d20, check_pollen, free_port    # noqa: E402

N_D20, N_POLLEN, N_STATUS, N_404, N_BAD = 600, 200, 150, 40, 10
N_SLOW, N_CAP = 16, 3       # unfinished until -t 1; over -C from 127.0.0.3
N_TLS, N_TLS_BAD = 20, 5
PER_ADDR = 16               # -C: the 8 loading threads stay well under it


def metrics_port(srv):
    end = time.time() + 5
    while time.time() < end:
        m = re.search(r"listening on 127\.0\.0\.1:(\d+) \(metrics\)", srv.log())
        if m:
            return int(m.group(1))
        time.sleep(0.02)
    raise RuntimeError("no metrics listener: " + srv.log())


def scrape(port, path="/metrics"):
    """(status, headers, text, {sample: value})"""
    code, hdr, body = get(port, path)
    text = body.decode("utf-8", "replace")
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, val = line.rpartition(" ")
            samples[key] = float(val) if "." in val else int(val)
    return code, hdr, text, samples


def promtool(text):
    try:
        r = subprocess.run([os.environ.get("PROMTOOL", "promtool"), "check", "metrics"],
                           input=text.encode(),
                           capture_output=True, timeout=30)
    except OSError as e:
        return 127, "promtool: %s (tests/server_metrics.sh unpacks prometheus)" % e
    return r.returncode, (r.stdout + r.stderr).decode("utf-8", "replace").strip()


def req(proto, code):
    return 'd20d_requests_total{protocol="%s",code="%d"}' % (proto, code)


def bucket(le):
    return 'd20d_request_duration_seconds_bucket{le="%s"}' % le


def usage_checks(tmp):
    port = free_port()
    for args, what in (
            (["-i", "-M", "127.0.0.1:%d" % port], "-i with -M"),
            (["-l", "127.0.0.1:%d" % port, "-M", "127.0.0.1:%d" % port],
             "-M on the -l address"),
            (["-l", "127.0.0.1:%d" % port, "-M", "127.0.0.2:%d" % port],
             "-M on another address but the entropy port")):
        r = subprocess.run([st.D20D, "-r", st.EMPTY] + args, capture_output=True,
                           timeout=10)
        ok(r.returncode == 2 and r.stderr.decode().startswith("d20d: "),
           "%s: a usage error, exit 2 (%r)" % (what, r.stderr.decode().strip()[:70]))
    r = subprocess.run([st.D20D, "--help"], capture_output=True, timeout=10)
    ok(b"-M HOST:PORT" in r.stdout, "d20d --help names -M")


def load(port):
    """The 1,000 HTTP requests; returns how many got what they should."""
    jobs = ([("d20", i) for i in range(N_D20)] + [("pollen", i) for i in range(N_POLLEN)] +
            [("status", i) for i in range(N_STATUS)] + [("404", i) for i in range(N_404)] +
            [("bad", i) for i in range(N_BAD)])
    good, lock = [0], threading.Lock()
    why = {}

    def run(k):
        for kind, i in jobs[k::8]:
            ch = ("%s-%06d-challenge" % (kind, i)).encode()
            try:
                if kind == "d20":
                    fine = check_d20(get(port, "/api/entropy?challenge=" + ch.decode(),
                                         timeout=20), ch)
                elif kind == "pollen":
                    fine = check_pollen(post(port, "/", b"challenge=" + ch, timeout=20), ch)
                elif kind == "status":
                    fine = st.status_ok(port, timeout=20)
                elif kind == "404":
                    fine = get(port, "/api/nothing-%d" % i, timeout=20)[0] == 404
                else:   # a control byte in the request line: malformed
                    fine = request(port, b"GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n",
                                   timeout=20)[0] == 400
            except OSError as e:
                fine, kind = False, kind + " " + repr(e)
            with lock:
                good[0] += bool(fine)
                if not fine:
                    why[kind] = why.get(kind, 0) + 1
    threads = [threading.Thread(target=run, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for k, v in list(why.items())[:5]:
        note("%d failed: %s" % (v, k))
    return good[0], len(jobs)


def wait_busy(mport, want):
    """Scrape until d20d_workers_busy is want (the scrape's own worker
    included); returns the last value."""
    end, busy = time.time() + 5, None
    while time.time() < end:
        busy = scrape(mport)[3].get("d20d_workers_busy")
        if busy == want:
            break
        time.sleep(0.05)
    return busy


def main_server(tmp):
    tls = st.tls_built()
    args = ["-l", "127.0.0.1:0", "-M", "127.0.0.1:0", "-t", "1", "-C", str(PER_ADDR)]
    if tls:
        st.make_pki(tmp)
        args += ["-L", "127.0.0.1:0", "--cert", os.path.join(tmp, "ec.chain"),
                 "--key", os.path.join(tmp, "ec.key")]
    t0 = time.time()
    srv = st.Server(tmp, args, listeners=2 if tls else 1)
    t1 = time.time()
    p, mport = srv.port(), metrics_port(srv)
    ok(mport != p, "the metrics listener is its own port (%d, entropy on %d)" % (mport, p))

    code, hdr, text, s = scrape(mport)
    rc, out = promtool(text)
    ok(code == 200 and hdr.get("content-type") == "text/plain; version=0.0.4; charset=utf-8",
       "GET /metrics: 200, text/plain; version=0.0.4")
    ok(rc == 0 and out == "", "promtool check metrics accepts the text of an idle server%s"
       % ("" if rc == 0 else ": " + out[:300]))
    start = s.get("process_start_time_seconds", 0)
    ok(int(t0) - 1 <= start <= t1 + 1, "process_start_time_seconds is when d20d started "
       "(%s, started between %d and %d)" % (start, t0, t1))
    ok(not any(k.startswith("d20d_requests_total") for k in s) and
       s.get(bucket("+Inf")) == 0 and s.get("d20d_request_duration_seconds_count") == 0,
       "no request yet: no request counter, an empty histogram")
    ok(get(mport, "/api/entropy?challenge=12345678")[0] == 404 and
       get(mport, "/")[0] == 404, "the metrics port serves no entropy: other paths 404")
    # (one more other/400 below)
    ok(get(p, "/metrics")[0] == 400, "the entropy port does not serve /metrics (400, no challenge)")

    good, n = load(p)
    ok(good == n == 1000, "1,000 requests, 10 of them malformed: %d as expected" % good)

    # 16 unfinished requests from 127.0.0.3: at the -C cap for that address
    slow = []
    for _ in range(N_SLOW):
        s3 = connect(p, src="127.0.0.3", timeout=10)
        s3.sendall(b"GET /api/status HTTP/1.1\r\n")
        slow.append(s3)
    busy = wait_busy(mport, N_SLOW + 1)
    ok(busy == N_SLOW + 1, "d20d_workers_busy: the %d slow clients and the scrape (%s)"
       % (N_SLOW, busy))
    refused = []
    for _ in range(N_CAP):
        s3 = connect(p, src="127.0.0.3", timeout=10)
        s3.sendall(b"GET /api/status HTTP/1.0\r\n\r\n")
        refused.append(parse_response(read_all(s3))[0])
        s3.close()
    ok(refused == [503] * N_CAP, "-C %d: %d more from 127.0.0.3 get 503 (%r)"
       % (PER_ADDR, N_CAP, refused))
    late = [parse_response(read_all(s3))[0] for s3 in slow]
    for s3 in slow:
        s3.close()
    ok(late == [408] * N_SLOW, "the %d unfinished requests get 408 at the -t 1 deadline"
       % N_SLOW)

    tls_good = tls_bad = 0
    if tls:
        ps = srv.port("https")
        wrap = st.tls_wrap(os.path.join(tmp, "ca.pem"))
        for i in range(N_TLS):
            ch = ("tls-%d-challenge" % i).encode()
            tls_good += bool(check_d20(get(ps, "/api/entropy?challenge=" + ch.decode(),
                                           wrap=wrap), ch))
        for _ in range(N_TLS_BAD):
            # plain HTTP to the TLS port: not a ClientHello
            tls_bad += request(ps, b"GET /api/status HTTP/1.0\r\n\r\n")[0] == 0
        ok(tls_good == N_TLS and tls_bad == N_TLS_BAD,
           "TLS: %d answers over HTTPS, %d handshakes that fail" % (tls_good, tls_bad))
    else:
        note("d20d built with TLS=0: no TLS counters checked")

    # every worker has reported: one busy, the scrape's
    busy = wait_busy(mport, 1)
    code, hdr, text, s = scrape(mport)
    rc, out = promtool(text)
    ok(code == 200 and rc == 0 and out == "",
       "promtool check metrics accepts the text after the load%s" % ("" if rc == 0 else
                                                                      ": " + out[:300]))
    d20 = N_D20 + (N_TLS if tls else 0)
    want = {
        req("d20", 200): d20,
        req("pollen", 200): N_POLLEN,
        req("status", 200): N_STATUS,
        req("other", 404): N_404,
        req("other", 400): N_BAD + 1,      # and the /metrics on the entropy port
        req("other", 408): N_SLOW,
        req("other", 503): N_CAP,
        'd20d_cap_refusals_total{cap="per_address"}': N_CAP,
        "d20d_deadline_hits_total": N_SLOW,
        "d20d_tls_handshake_failures_total": N_TLS_BAD if tls else 0,
        "d20d_entropy_bytes_total": 512 * d20 + 64 * N_POLLEN,
        "d20d_workers_killed_total": 0,
        "d20d_log_lines_dropped_total": 0,
        "d20d_workers_busy": 1,
    }
    total = sum(v for k, v in want.items() if k.startswith("d20d_requests_total"))
    want["d20d_request_duration_seconds_count"] = total
    want[bucket("+Inf")] = total
    reqs = {k: v for k, v in s.items() if k.startswith("d20d_requests_total")}
    wrong = {k: (s.get(k), v) for k, v in want.items() if s.get(k) != v}
    extra = set(reqs) - set(want)
    ok(not wrong and not extra, "every counter exact after the load (%d requests): %s"
       % (total, "as expected" if not wrong and not extra else
          "got/want %r, unexpected %r" % (wrong, sorted(extra))))
    les = [k for k in s if k.startswith("d20d_request_duration_seconds_bucket")]
    counts = [s[k] for k in les]
    ok(len(les) == 14 and counts == sorted(counts),
       "14 histogram buckets, cumulative (%s)" % counts)
    # the 408s were written a little after 1 s; everything else at once
    slow_ones = s.get(bucket("+Inf"), 0) - s.get(bucket("1"), 0)
    ok(slow_ones >= N_SLOW and s.get("d20d_request_duration_seconds_sum", 0) >= N_SLOW,
       "the deadline's 408s are in the buckets above 1 s (%d there), the sum at least %d s "
       "(%s)" % (slow_ones, N_SLOW, s.get("d20d_request_duration_seconds_sum")))
    # workers that timed out or failed a handshake leave: wait until the
    # children left are the idle ones and the scrape's
    end, idle, kids = time.time() + 5, None, []
    while time.time() < end:
        idle, kids = scrape(mport)[3].get("d20d_workers_idle"), srv.children()
        if idle is not None and idle + 1 == len(kids):
            break
        time.sleep(0.1)
    ok(idle is not None and idle + 1 == len(kids),
       "d20d_workers_idle: every worker but the scrape's (%s of %d)" % (idle, len(kids)))
    again = scrape(mport)[3]
    ok({k: v for k, v in again.items() if k.startswith("d20d_requests")} == reqs,
       "scrapes are not counted as requests")
    srv.stop()


def killed_worker(tmp):
    """One worker, killed in the middle of a connection: the parent counts
    it from the exit status it reaps."""
    srv = st.Server(tmp, ["-c", "1", "-l", "127.0.0.1:0", "-M", "127.0.0.1:0"])
    p, mport = srv.port(), metrics_port(srv)
    s = connect(p)
    s.sendall(b"GET /api/status HTTP/1.1\r\n")
    end = time.time() + 3
    while time.time() < end and not srv.children():
        time.sleep(0.02)
    victims = srv.children()
    for k in victims:
        os.kill(k, signal.SIGKILL)
    cut = read_all(s) == b""
    s.close()
    m = {}
    end = time.time() + 5
    while time.time() < end and m.get("d20d_workers_killed_total") != 1:
        m = scrape(mport)[3]
        time.sleep(0.05)
    ok(len(victims) == 1 and cut and m.get("d20d_workers_killed_total") == 1 and
       not any(k.startswith("d20d_requests_total") for k in m),
       "a worker SIGKILLed mid-connection: d20d_workers_killed_total 1, no request counted")
    srv.stop()


def main():
    tmp = subprocess.run(["mktemp", "-d", "/tmp/d20d-metrics.XXXXXX"], capture_output=True,
                         text=True, check=True).stdout.strip()
    os.chmod(tmp, 0o755)
    st.EMPTY = os.path.join(tmp, "empty")
    os.mkdir(st.EMPTY, 0o755)
    try:
        usage_checks(tmp)
        main_server(tmp)
        killed_worker(tmp)
        if os.environ.get("D20D_SANITIZED"):
            reports = [s.log_path for s in st.servers if re.search(
                r"Sanitizer|runtime error:", open(s.log_path, errors="replace").read())]
            ok(not reports, "no sanitizer report in the logs of %d servers" % len(st.servers))
            for r in reports:
                note(open(r, errors="replace").read()[-1500:])
    finally:
        for s in st.servers:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
            for k in st.children_of(s.pid):
                try:
                    os.kill(k, signal.SIGKILL)
                except OSError:
                    pass
        subprocess.run(["rm", "-rf", tmp])
    return 1 if st.failed else 0


if __name__ == "__main__":
    sys.exit(main())
