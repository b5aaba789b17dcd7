#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/hostile_server.py - test servers for the d20 client, good and bad.

usage: hostile_server.py PORTFILE [--cert CERT --key KEY] [--capture FILE]
                         BEHAVIOUR...

Listens on 127.0.0.1, one ephemeral port per behaviour, and once all are
listening writes "behaviour port" lines to PORTFILE (atomically). A
behaviour prefixed "tls-" is served over TLS with CERT and KEY; one
suffixed "@ADDR:PORT" listens there (a loopback address) instead. The
behaviour "blackhole" fills its own accept queue, so that the kernel drops
every further SYN and connect() hangs. Runs until killed. Test code only: loopback only, every connection in its own thread.

"d20" is a twin of the real D20 server (AgalmicVentures/D20, Flask on
Werkzeug, as Debian runs it), measured byte for byte: HTTP/1.1, Server and
Date, then Content-Type, Content-Length and Connection: close; the JSON
keys sorted, no spaces, a final newline; 512 bytes of entropy (1,024 hex
digits). "d20-early" is the same with the 4,096 bytes (8,192 hex digits)
of D20's early releases; "d20-error" its answer to a short challenge: 200
and an error object.
"""
import datetime
import email.utils
import hashlib
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

CAPTURE = None
FILLERS = []


def read_request(conn):
    """The request head, bounded in size and time; the query's challenge."""
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 8192:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    query = urllib.parse.urlsplit(parts[1]).query if len(parts) > 1 else ""
    chal = urllib.parse.parse_qs(query).get("challenge", [""])[0]
    return data, chal.encode("latin-1")


def now_text(offset=0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset)
    return t.strftime("%Y-%m-%dT%H:%M:%S")


# what D20's Server.py sends: 512 bytes now, 4096 in its early releases
D20_ENTROPY = 512
D20_EARLY_ENTROPY = 4096
D20_SERVER = "Werkzeug/2.2.2 Python/3.11.2"     # Debian 12's Flask, as measured


def d20_body(chal, offset=0, wrong=False, nbytes=D20_ENTROPY, at=None):
    t = (at or now_text(offset)).encode()
    cr = hashlib.sha512((b"x" if wrong else b"") + chal + t).hexdigest()
    ent = os.urandom(nbytes).hex()
    return ('{"apiVersion":"1","challengeResponse":"%s","entropy":"%s","time":"%s"}\n'
            % (cr, ent, t.decode())).encode()


def d20_response(body):
    """The real D20 server's head, in its order, then body."""
    head = ("HTTP/1.1 200 OK\r\nServer: %s\r\nDate: %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n"
            % (D20_SERVER, email.utils.formatdate(usegmt=True), len(body)))
    return head.encode() + body


def pollen_body(chal, wrong=False):
    l1 = hashlib.sha512((b"x" if wrong else b"") + chal).hexdigest()
    l2 = hashlib.sha512(chal + os.urandom(64)).hexdigest()
    return ("%s\n%s\n" % (l1, l2)).encode()


def response(body, status="200 OK", ctype="application/json", length=None):
    n = len(body) if length is None else length
    head = ("HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (status, ctype, n))
    return head.encode() + body


def serve(conn, behaviour):
    req, chal = read_request(conn)
    b = behaviour
    if b == "capture":
        with open(CAPTURE + ".tmp", "wb") as f:
            f.write(req)
        os.rename(CAPTURE + ".tmp", CAPTURE)
        b = "d20"
    if b == "d20":
        conn.sendall(d20_response(d20_body(chal)))
    elif b == "d20-early":
        conn.sendall(d20_response(d20_body(chal, nbytes=D20_EARLY_ENTROPY)))
    elif b == "d20-error":
        conn.sendall(d20_response(b'{"error":"challenge too short"}\n'))
    elif b == "d20-nolength":
        # No Content-Length: the body ends when the server closes.
        body = d20_body(chal)
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + body)
    elif b == "pollen":
        conn.sendall(response(pollen_body(chal), ctype="text/plain"))
    elif b == "pollen-wrong":
        conn.sendall(response(pollen_body(chal, wrong=True), ctype="text/plain"))
    elif b == "wrongcr":
        conn.sendall(d20_response(d20_body(chal, wrong=True)))
    elif b == "stale":
        # a server clock 2 h behind (an RTC kept in local time)
        conn.sendall(d20_response(d20_body(chal, offset=-7200)))
    elif b == "ahead10y":
        conn.sendall(d20_response(d20_body(chal, offset=10 * 365 * 86400)))
    elif b == "y2001":
        # a server clock that says 2001 (a dead CMOS battery)
        conn.sendall(d20_response(d20_body(chal, at="2001-01-01T00:00:00")))
    elif b == "dupkey":
        body = d20_body(chal)[:-2] + b',"time":"2000-01-01T00:00:00"}\n'
        conn.sendall(d20_response(body))
    elif b == "garbage":
        conn.sendall(os.urandom(3000))
    elif b == "notfound":
        conn.sendall(response(b'{"error":"not found"}', status="404 Not Found"))
    elif b == "bigbody":
        # one past d20's bound on a body (answer.h: ANSWER_BODY_MAX)
        conn.sendall(response(b"0" * 20481, ctype="text/plain"))
    elif b == "huge":
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        block = b"a" * 65536
        for _ in range(320):            # 20 MiB
            conn.sendall(block)
    elif b == "drip":
        for byte in d20_response(d20_body(chal)):
            conn.sendall(bytes([byte]))
            time.sleep(1)
    elif b == "drip-half":
        # the answer a byte every half second (tests/fault_test.py)
        for byte in d20_response(d20_body(chal)):
            conn.sendall(bytes([byte]))
            time.sleep(0.5)
    elif b == "silent":
        time.sleep(3600)
    elif b == "midclose":
        full = d20_response(d20_body(chal))
        conn.sendall(full[:len(full) - 100])
    conn.close()


def handle(conn, behaviour):
    try:
        serve(conn, behaviour)
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def listen(behaviour, ctx, addr=("127.0.0.1", 0)):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr)
    if behaviour == "blackhole":
        s.listen(0)
        FILLERS.append(s)           # kept open: never accepted from
        for _ in range(3):
            c = socket.socket()
            c.setblocking(False)
            try:
                c.connect(s.getsockname())
            except BlockingIOError:
                pass
            FILLERS.append(c)
        return s.getsockname()[1]
    s.listen(16)

    def loop():
        while True:
            conn, _ = s.accept()
            if ctx is not None:
                try:
                    conn.settimeout(5)
                    conn = ctx.wrap_socket(conn, server_side=True)
                except (OSError, ssl.SSLError):
                    conn.close()
                    continue
            threading.Thread(target=handle, args=(conn, behaviour), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def main():
    global CAPTURE
    args = sys.argv[1:]
    portfile = args.pop(0)
    cert = key = None
    while args and args[0].startswith("--"):
        opt = args.pop(0)
        if opt == "--cert":
            cert = args.pop(0)
        elif opt == "--key":
            key = args.pop(0)
        elif opt == "--capture":
            CAPTURE = args.pop(0)
    lines = []
    for b in args:
        ctx = None
        name = b
        addr = ("127.0.0.1", 0)
        if "@" in b:
            b, where = b.split("@")
            host, port = where.rsplit(":", 1)
            addr = (host, int(port))
        if b.startswith("tls-"):
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(cert, key)
            b = b[4:]
        lines.append("%s %d\n" % (name, listen(b, ctx, addr)))
    with open(portfile + ".tmp", "w") as f:
        f.writelines(lines)
    os.rename(portfile + ".tmp", portfile)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
