#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/hostile_proxy.py - bad HTTP proxies for the d20 client.

usage: hostile_proxy.py PORTFILE [--capture FILE] BEHAVIOUR...

Listens on 127.0.0.1, one ephemeral port per behaviour, and once all are
listening writes "behaviour port" lines to PORTFILE (atomically). Each
connection reads the CONNECT request head (bounded), then:

  silent     says nothing, ever (a stalled proxy)
  close      closes at once
  407 403 502  refuses with that status
  huge       "HTTP/1.1 200 OK" and header lines that never end
  garbage    bytes that are not HTTP
  early      a 200 reply and then bytes of its own, before the client spoke
  capture    writes the request head to the --capture file, answers 407
  lie:PORT   answers 200, then relays to 127.0.0.1:PORT whatever the
             client asked for (an impostor behind a lying proxy)

Runs until killed. Test code only: loopback only, every connection in its
own thread, every relay bounded in time.
"""
import os
import socket
import sys
import threading
import time

CAPTURE = None


def read_head(conn):
    conn.settimeout(10)
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 8192:
        chunk = conn.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def pump(src, dst, until):
    try:
        while time.time() < until:
            src.settimeout(max(0.1, until - time.time()))
            chunk = src.recv(65536)
            if not chunk:
                break
            dst.sendall(chunk)
    except OSError:
        pass
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def serve(conn, behaviour):
    head = read_head(conn)
    if behaviour == "silent":
        time.sleep(3600)
    elif behaviour == "close":
        pass
    elif behaviour in ("407", "403", "502"):
        text = {"407": "Proxy Authentication Required", "403": "Forbidden",
                "502": "Bad Gateway"}[behaviour]
        extra = 'Proxy-Authenticate: Basic realm="d20 test"\r\n' if behaviour == "407" else ""
        conn.sendall(("HTTP/1.1 %s %s\r\n%sContent-Length: 0\r\n\r\n"
                      % (behaviour, text, extra)).encode())
        time.sleep(1)
    elif behaviour == "huge":
        conn.sendall(b"HTTP/1.1 200 OK\r\n")
        for i in range(1000):           # 32 KB, never an empty line
            conn.sendall(b"X-Pad-%04d: %s\r\n" % (i, b"a" * 18))
        time.sleep(3600)
    elif behaviour == "garbage":
        conn.sendall(b"\x16\x03\x01" + os.urandom(500))
        time.sleep(1)
    elif behaviour == "early":
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n"
                     b"HTTP/1.0 200 OK\r\n\r\n{}")
        time.sleep(3600)
    elif behaviour == "capture":
        with open(CAPTURE + ".tmp", "wb") as f:
            f.write(head)
        os.rename(CAPTURE + ".tmp", CAPTURE)
        conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n")
        time.sleep(1)
    elif behaviour.startswith("lie:"):
        up = socket.create_connection(("127.0.0.1", int(behaviour[4:])), 5)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        until = time.time() + 20
        t = threading.Thread(target=pump, args=(up, conn, until), daemon=True)
        t.start()
        pump(conn, up, until)
        t.join(max(0, until - time.time()))
        up.close()


def handle(conn, behaviour):
    try:
        serve(conn, behaviour)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def listen(behaviour):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)

    def loop():
        while True:
            conn, _ = s.accept()
            threading.Thread(target=handle, args=(conn, behaviour), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()
    return s.getsockname()[1]


def main():
    global CAPTURE
    args = sys.argv[1:]
    portfile = args.pop(0)
    if args and args[0] == "--capture":
        args.pop(0)
        CAPTURE = args.pop(0)
    lines = ["%s %d\n" % (b, listen(b)) for b in args]
    with open(portfile + ".tmp", "w") as f:
        f.writelines(lines)
    os.rename(portfile + ".tmp", portfile)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
