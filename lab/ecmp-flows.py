#!/usr/bin/env python3
"""ecmp-flows.py - client-side traffic for the lab's ecmp test (run in the client namespace).

  keepalive VIP N READY TRIGGER   open N keep-alive HTTP/1.1 connections to VIP:80, one request each,
                                  write "OK FAILED" to READY; wait for the file TRIGGER; one more request on
                                  each connection; print "survived S of N" (a reply on the same connection)
  newconns VIP SECONDS GAP_MS     every GAP_MS for SECONDS: a new connection, one request (300 ms limit);
                                  print "UNIX_TIME_S 1|0" per attempt, flushed
"""
import os
import socket
import sys
import time

REQ = b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n"


def request(s):
    """One request on an open connection; True when a whole 200 answer came back."""
    s.sendall(REQ)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            return False
        buf += chunk
    head, _, body = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    while len(body) < length:
        chunk = s.recv(4096)
        if not chunk:
            return False
        body += chunk
    return head.startswith(b"HTTP/1.1 200")


def keepalive(vip, n, ready, trigger):
    conns, failed = [], 0
    for _ in range(n):
        try:
            s = socket.create_connection((vip, 80), timeout=3)
            if request(s):
                conns.append(s)
            else:
                failed += 1
        except OSError:
            failed += 1
    with open(ready + ".tmp", "w") as f:
        f.write("%d %d\n" % (len(conns), failed))
    os.rename(ready + ".tmp", ready)
    deadline = time.time() + 300
    while not os.path.exists(trigger) and time.time() < deadline:
        time.sleep(0.02)
    survived = 0
    for s in conns:
        try:
            s.settimeout(3)
            if request(s):
                survived += 1
        except OSError:
            pass
    print("survived %d of %d" % (survived, n), flush=True)


def newconns(vip, seconds, gap_ms):
    end = time.time() + seconds
    while time.time() < end:
        t = time.time()
        ok = 0
        try:
            with socket.create_connection((vip, 80), timeout=0.3) as s:
                s.settimeout(0.3)
                ok = 1 if request(s) else 0
        except OSError:
            ok = 0
        print("%.3f %d" % (t, ok), flush=True)
        time.sleep(max(0, gap_ms / 1000 - (time.time() - t)))


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "keepalive":
        keepalive(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5])
    elif len(sys.argv) == 5 and sys.argv[1] == "newconns":
        newconns(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
