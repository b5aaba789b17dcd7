#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/tls_relay.py - a loopback relay that records what a TLS 1.2
client sends in the clear: its ClientHello random and its ECDHE public
key (the ClientKeyExchange), one line per connection.

usage: tls_relay.py PORTFILE LOGFILE UPSTREAM_PORT

Listens on 127.0.0.1 (an ephemeral port, written to PORTFILE once
listening), forwards every connection to 127.0.0.1:UPSTREAM_PORT, and
appends "random HEX key HEX" to LOGFILE when the client's handshake has
shown both. Runs until killed. Test code only: loopback only.
"""
import os
import socket
import sys
import threading


def pump(src, dst, watch=None):
    """Copy src to dst until either closes; feed what passes to watch."""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if watch:
                watch(data)
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class Watcher:
    """Parse the client's records until ChangeCipherSpec: the handshake
    messages before it are plaintext."""

    def __init__(self, log):
        self.buf = b""
        self.hs = b""
        self.random = None
        self.key = None
        self.done = False
        self.log = log

    def __call__(self, data):
        if self.done:
            return
        self.buf += data
        while len(self.buf) >= 5:
            rtype, length = self.buf[0], int.from_bytes(self.buf[3:5], "big")
            if len(self.buf) < 5 + length:
                return
            body, self.buf = self.buf[5:5 + length], self.buf[5 + length:]
            if rtype != 22:             # not handshake: ChangeCipherSpec on
                self.done = True
                return
            self.hs += body
            self.messages()

    def messages(self):
        while len(self.hs) >= 4:
            mtype, mlen = self.hs[0], int.from_bytes(self.hs[1:4], "big")
            if len(self.hs) < 4 + mlen:
                return
            msg, self.hs = self.hs[4:4 + mlen], self.hs[4 + mlen:]
            if mtype == 1:              # ClientHello: version, random
                self.random = msg[2:34]
            elif mtype == 16:           # ClientKeyExchange: ECDH point
                self.key = msg[1:1 + msg[0]]
            if self.random and self.key:
                with open(self.log, "a") as f:
                    f.write("random %s key %s\n" % (self.random.hex(), self.key.hex()))
                self.done = True
                return


def main():
    portfile, log, upstream = sys.argv[1], sys.argv[2], int(sys.argv[3])
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % lsock.getsockname()[1])
    os.rename(portfile + ".tmp", portfile)
    while True:
        c, _ = lsock.accept()
        u = socket.create_connection(("127.0.0.1", upstream), timeout=5)
        u.settimeout(None)
        threading.Thread(target=pump, args=(c, u, Watcher(log)), daemon=True).start()
        threading.Thread(target=pump, args=(u, c), daemon=True).start()


if __name__ == "__main__":
    main()
