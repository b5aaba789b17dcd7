#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tests/deploy_answer.py HOST PORT [N] - ask a d20d N times (default 2)
in both protocols and check every answer against its challenge: D20 API v1
(challengeResponse = SHA-512(C || time), entropy 1024 hex digits, time
within a minute) and Pollen (first line SHA-512(C), second 128 hex
digits). Prints one reason and exits 1 on the first bad answer; also
fails when two answers carry the same entropy."""
import datetime
import hashlib
import json
import os
import re
import socket
import sys

HEX128 = re.compile(r"[0-9a-f]{128}\Z")
HEX1024 = re.compile(r"[0-9a-f]{1024}\Z")      # D20: 512 bytes (config.h)


def ask(host, port, request):
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b"\r\n")[0].decode()
    if " 200 " not in status + " ":
        raise ValueError("status line %r" % status)
    return body.decode()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    seen = set()
    for i in range(n):
        c = os.urandom(32).hex()
        body = ask(host, port, ("GET /api/entropy?challenge=%s HTTP/1.0\r\n"
                                "Host: x\r\n\r\n" % c).encode())
        j = json.loads(body)
        want = hashlib.sha512((c + j["time"]).encode()).hexdigest()
        if j.get("apiVersion") != "1" or j["challengeResponse"] != want:
            raise ValueError("D20 answer does not match its challenge: %s" % body)
        if not HEX1024.match(j["entropy"]):
            raise ValueError("D20 entropy is not 1024 hex digits")
        t = datetime.datetime.strptime(j["time"], "%Y-%m-%dT%H:%M:%S")
        if abs((t - datetime.datetime.utcnow()).total_seconds()) > 60:
            raise ValueError("D20 time %s is off" % j["time"])
        seen.add(j["entropy"])

        c = os.urandom(64).hex()
        form = "challenge=" + c
        body = ask(host, port, ("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                "Content-Type: application/x-www-form-urlencoded\r\n"
                                "Content-Length: %d\r\n\r\n%s" % (len(form), form)).encode())
        lines = body.split()
        if len(lines) != 2 or lines[0] != hashlib.sha512(c.encode()).hexdigest():
            raise ValueError("Pollen answer does not match its challenge: %r" % body)
        if not HEX128.match(lines[1]):
            raise ValueError("Pollen entropy is not 128 hex digits")
        seen.add(lines[1])
    if len(seen) != 2 * n:
        raise ValueError("the same entropy came twice")


try:
    main()
except Exception as e:  # one line for the test's "not ok"
    print("bad answer: %s" % e)
    sys.exit(1)
