#!/usr/bin/env python3
"""ecmp-flows.py - client-side traffic for the lab's ecmp test (run in the client namespace).

  keepalive VIP N DIR             hold N keep-alive HTTP/1.1 connections to VIP:80 ("flows"; each answer
                                  names its real server, "rsK") and act on command files DIR/cmd.1, 2, ...
                                  in turn, answering each in DIR/done.K:
                                    fill   open new flows (one request each) until N are open: "OPEN FAILED"
                                    round  one more request on every open flow at once (5 s limit, room
                                           for TCP's retransmissions in a loaded lab kernel); the ones
                                           that did not answer are closed: "round answered A of L
                                           rs1=a/b rs2=c/d ... (lost: R reset, T timed out; slowest
                                           answer S ms)" (a of the b flows of that real server answered
                                           on the same connection; a reset is a flow that reached the
                                           wrong real server, a time-out one whose packets went
                                           nowhere), also printed
                                    stop   end
                                  It starts with a fill (DIR/done.0)
  newconns VIP SECONDS GAP_MS     every GAP_MS for SECONDS: a new connection, one request (300 ms limit);
                                  print "UNIX_TIME_S 1|0 MS" per attempt (its start, success, duration),
                                  flushed. With GAP_MS > 0 each attempt runs in its own thread, so an attempt
                                  waiting out its limit does not delay the next ones (the failure window is
                                  sampled every GAP_MS); GAP_MS 0 is back to back, one at a time
"""
import os
import re
import selectors
import socket
import sys
import threading
import time

REQ = b"GET / HTTP/1.1\r\nHost: vip\r\n\r\n"
RS = re.compile(rb"rs(\d+)")


def complete(buf):
    """(done, ok, body) for what arrived so far of one answer."""
    if b"\r\n\r\n" not in buf:
        return False, False, b""
    head, _, body = buf.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            length = int(v.strip())
    if len(body) < length:
        return False, False, b""
    return True, head.startswith(b"HTTP/1.1 200"), body[:length]


def request(s):
    """One request on an open (blocking) connection; the body of a whole 200 answer, else None."""
    s.sendall(REQ)
    buf = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            return None
        buf += chunk
        done, ok, body = complete(buf)
        if done:
            return body if ok else None


def real_server(body):
    m = RS.search(body or b"")
    return "rs" + m.group(1).decode() if m else "rs?"


# Flows use client ports above the kernel's ephemeral range (32768-60999) and never the same one twice.
# A reused port can meet a director's entry left by an earlier flow on it (a flow reset while its real
# server was out stays ESTABLISHED there for 15 minutes, and IPVS re-schedules a SYN only on a TIME_WAIT
# entry): the new flow then goes where that entry points instead of where mh puts it, and is lost when it
# later changes director. A real edge has that edge case too (README, limits); the test is about the
# flows mh placed.
next_port = [61000]


def fresh_port():
    next_port[0] += 1
    if next_port[0] > 65535:
        raise OSError("no unused client port left")
    return next_port[0]


def open_flow(vip):
    """A new keep-alive connection that answered once: (socket, real server), or None."""
    try:
        s = socket.create_connection((vip, 80), timeout=3, source_address=("0.0.0.0", fresh_port()))
        body = request(s)
        if body is not None:
            return s, real_server(body)
        s.close()
    except OSError:
        pass
    return None


def round_trip(flows, limit):
    """One request on every flow at once, within limit seconds: (indexes of the flows that answered, how many
    were closed, reset or answered other than 200, the slowest answer in ms)."""
    sel = selectors.DefaultSelector()
    bufs = {}
    start = time.time()
    for i, (s, _) in enumerate(flows):
        try:
            s.setblocking(False)
            s.send(REQ)  # 29 bytes into an idle connection's empty send buffer
            sel.register(s, selectors.EVENT_READ, i)
            bufs[i] = b""
        except OSError:
            pass
    answered = set()
    reset = len(flows) - len(bufs)
    slowest = 0.0
    deadline = start + limit
    while bufs.keys() - answered and time.time() < deadline:
        for key, _ in sel.select(timeout=max(0.0, deadline - time.time())):
            i = key.data
            try:
                chunk = key.fileobj.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:  # closed or reset: this flow is gone
                sel.unregister(key.fileobj)
                del bufs[i]
                reset += 1
                continue
            bufs[i] += chunk
            done, ok, _ = complete(bufs[i])
            if done:
                sel.unregister(key.fileobj)
                if ok:
                    answered.add(i)
                    slowest = max(slowest, time.time() - start)
                else:
                    reset += 1
    sel.close()
    for s, _ in flows:
        s.setblocking(True)
        s.settimeout(3)
    return answered, reset, round(slowest * 1000)


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.rename(path + ".tmp", path)


def keepalive(vip, n, d):
    flows = []

    def fill():
        failed = 0
        while len(flows) < n and failed < n:
            f = open_flow(vip)
            if f:
                flows.append(f)
            else:
                failed += 1
        return "%d %d" % (len(flows), failed)

    def round_():
        answered, reset, slowest = round_trip(flows, 5.0)
        per = {}
        for i, (_, rs) in enumerate(flows):
            a, b = per.get(rs, (0, 0))
            per[rs] = (a + (i in answered), b + 1)
        line = "round answered %d of %d %s (lost: %d reset, %d timed out; slowest answer %d ms)" % (
            len(answered), len(flows), " ".join("%s=%d/%d" % (k, a, b) for k, (a, b) in sorted(per.items())),
            reset, len(flows) - len(answered) - reset, slowest)
        print(line, flush=True)
        for i in sorted(set(range(len(flows))) - answered, reverse=True):
            flows[i][0].close()
            del flows[i]
        return line

    write_atomic(os.path.join(d, "done.0"), fill() + "\n")
    deadline = time.time() + 900
    k = 0
    while time.time() < deadline:
        k += 1
        cmd = os.path.join(d, "cmd.%d" % k)
        while not os.path.exists(cmd):
            if time.time() > deadline:
                return
            time.sleep(0.02)
        with open(cmd) as f:
            what = f.read().strip()
        if what == "stop":
            write_atomic(os.path.join(d, "done.%d" % k), "stopped\n")
            return
        out = fill() if what == "fill" else round_() if what == "round" else "unknown command " + what
        write_atomic(os.path.join(d, "done.%d" % k), out + "\n")


def attempt(vip, out, lock):
    t = time.time()
    ok = 0
    try:
        with socket.create_connection((vip, 80), timeout=0.3) as s:
            s.settimeout(max(0.01, 0.3 - (time.time() - t)))
            ok = 1 if request(s) is not None else 0
    except OSError:
        ok = 0
    line = "%.3f %d %d\n" % (t, ok, round((time.time() - t) * 1000))
    with lock:
        out.write(line)
        out.flush()


def newconns(vip, seconds, gap_ms):
    lock = threading.Lock()
    end = time.time() + seconds
    threads = []
    nxt = time.time()
    while time.time() < end:
        if gap_ms == 0:
            attempt(vip, sys.stdout, lock)
            continue
        th = threading.Thread(target=attempt, args=(vip, sys.stdout, lock), daemon=True)
        th.start()
        threads.append(th)
        nxt += gap_ms / 1000
        time.sleep(max(0, nxt - time.time()))
    for th in threads:
        th.join(2)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "keepalive":
        keepalive(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif len(sys.argv) == 5 and sys.argv[1] == "newconns":
        newconns(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(__doc__)
