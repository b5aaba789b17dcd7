#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/client_reneg.py D20 WORKDIR - d20's TLS refuses renegotiation.

OpenSSL's s_server (a TLS stack nobody here wrote) answers d20's request
only after it has asked for a renegotiation ('r' on its standard input),
with a Pollen answer that verifies. A client that renegotiated would then
seed from it; d20 must refuse (BearSSL answers the HelloRequest with a
no_renegotiation alert, which OpenSSL turns into a fatal error), fail that
server with a TLS reason and end within its --timeout. WORKDIR holds
make_certs' srv.pem, srv.key and pin (tests/client_lib.sh)."""
import hashlib, os, re, select, socket, subprocess, sys, time

d20, work = sys.argv[1], sys.argv[2]
TIMEOUT = 4


def say(ok, what):
    print(("ok - " if ok else "not ok - ") + what)
    return ok


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


port = free_port()
pin = open(os.path.join(work, "pin")).read().strip()
srv = subprocess.Popen(
    ["openssl", "s_server", "-tls1_2", "-accept", "127.0.0.1:%d" % port,
     "-cert", os.path.join(work, "srv.pem"), "-key", os.path.join(work, "srv.key")],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
out = b""


def read_until(pattern, seconds):
    """Read s_server's output until pattern matches (bounded)."""
    global out
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        m = re.search(pattern, out)
        if m:
            return m
        r, _, _ = select.select([srv.stdout], [], [], 0.1)
        if r:
            b = os.read(srv.stdout.fileno(), 4096)
            if not b:
                break
            out += b
    return re.search(pattern, out)


try:
    if not say(read_until(rb"ACCEPT", 10) is not None, "openssl s_server listens"):
        sys.exit(1)
    t0 = time.monotonic()
    cli = subprocess.Popen(
        ["timeout", "30", d20, "-v", "--timeout", str(TIMEOUT), "--pin", pin,
         "-o", "/dev/null", "https://127.0.0.1:%d/" % port],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    m = read_until(rb"challenge=([0-9a-f]{128})", TIMEOUT)
    say(m is not None, "d20's request reached s_server over TLS")
    if m:
        chal = m.group(1)
        srv.stdin.write(b"r\n")		# ask for a renegotiation
        srv.stdin.flush()
        read_until(rb"SSL_do_handshake|renegotiat|ERROR|error", 2)
        time.sleep(0.5)
        r = os.urandom(64)
        body = (hashlib.sha512(chal).hexdigest() + "\n" +
                hashlib.sha512(chal + r).hexdigest() + "\n").encode()
        srv.stdin.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                        b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        srv.stdin.flush()
    try:
        log, _ = cli.communicate(timeout=TIMEOUT + 10)
    except subprocess.TimeoutExpired:
        cli.kill()
        log, _ = cli.communicate()
    took = time.monotonic() - t0
    text = log.decode(errors="replace")
    print("# d20: " + text.strip().replace("\n", "\n# d20: "))
    say(cli.returncode == 1, "d20 exits 1: the server that renegotiates did not count (status %s)"
        % cli.returncode)
    say(re.search(r"failed: TLS", text) is not None and ": verified," not in text,
        "d20 gives a TLS reason for that server")
    say(took < TIMEOUT + 1.5, "d20 ended within its --timeout %d s (%.2f s)" % (TIMEOUT, took))
    # s_server may print the alert after d20 has gone: read on (bounded)
    say(read_until(rb"(?i)no.renegotiation|alert", 3) is not None,
        "s_server saw d20 refuse the renegotiation")
finally:
    srv.kill()
    srv.wait()
