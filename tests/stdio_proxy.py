#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/stdio_proxy.py - a one-connection HTTP CONNECT proxy on stdin and
stdout, for QEMU's guestfwd (which runs a command per connection).

usage: stdio_proxy.py TARGET LOG COMMAND...

Reads the CONNECT request head (at most 4 KiB, 10 s), appends its request
line to LOG, and when it asks for TARGET ("host:port") answers 200 and
runs COMMAND on the same stdin and stdout (d20d -i: the server behind the
tunnel); any other target gets 403. Test code only.
"""
import os
import select
import sys


def main():
    target, log, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    head = b""
    while b"\r\n\r\n" not in head and len(head) < 4096:
        ready, _, _ = select.select([0], [], [], 10)
        if not ready:
            return
        byte = os.read(0, 1)            # byte by byte: leave the rest to cmd
        if not byte:
            return
        head += byte
    line = head.split(b"\r\n", 1)[0]
    with open(log, "ab") as f:
        f.write(line + b"\n")
    if line != b"CONNECT " + target.encode() + b" HTTP/1.1":
        os.write(1, b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        return
    os.write(1, b"HTTP/1.1 200 Connection established\r\n\r\n")
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
