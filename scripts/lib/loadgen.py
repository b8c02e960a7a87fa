#!/usr/bin/env python3
"""Small HTTP/1.1 load tools for scripts/bench and scripts/soak (loopback only).

  loadgen.py rate --port P --rate R --seconds S [--connections C] [--method M]
                  [--path PATH] [--header 'Name: value']... [--expect 200,400]
      R requests per second at fixed times over C keep-alive connections
      (HEAD is parsed correctly, unlike wrk). Latency is measured from each
      request's scheduled time (no coordinated omission). Prints one JSON
      line: sent, ok, unexpected, errors, p50_ms, p99_ms, max_ms.

  loadgen.py burst --port P --clients N [--method M] [--path PATH]
                   [--header 'Name: value']... [--body JSON] [--distinct-addresses]
                   [--repeat-seconds S]
      N requests sent at the same moment, one per connection (connections
      opened first; with --distinct-addresses each from its own loopback
      address 127.0.x.y, as N different clients). One thread, non-blocking
      sockets: latency is from each request's send to its full answer.
      With --repeat-seconds, bursts follow each other until S seconds have
      passed. Prints one JSON line: per status the count and p50/p99/max ms,
      the Retry-After values seen, errors.

  loadgen.py hold --port P --connections N --seconds S [--path PATH]
      Opens N keep-alive connections, sends one request on each and reads
      the answer, prints "ready N" and keeps them open (idle) for S seconds
      or until stdin closes; prints a JSON line with the counts.
"""
import argparse, json, resource, socket, sys, threading, time


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, n))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def request_bytes(method, path, headers):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"] + headers
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class Conn:
    def __init__(self, port):
        self.port = port
        self.sock = None
        self.buf = b""

    def connect(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        if self.sock:
            self.sock.close()
        self.sock = None

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed by server")
        self.buf += chunk

    def read_response(self, head_only):
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        if head_only or status in (204, 304) or status < 200:
            length = 0
        while len(rest) < length:
            self.buf = rest
            self._fill()
            rest = self.buf
        self.buf = rest[length:]
        return status, close

    def exchange(self, data, head_only):
        if self.sock is None:
            self.connect()
        self.sock.sendall(data)
        status, close = self.read_response(head_only)
        if close:
            self.close()
        return status


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    i = min(len(sorted_values) - 1, max(0, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[i]


def cmd_rate(a):
    data = request_bytes(a.method, a.path, a.header or [])
    head_only = a.method == "HEAD"
    expect = {int(s) for s in a.expect.split(",")}
    total = int(a.rate * a.seconds)
    interval = 1.0 / a.rate
    start = time.monotonic() + 0.2
    lock = threading.Lock()
    state = {"next": 0, "ok": 0, "unexpected": 0, "errors": 0, "lat": [], "statuses": {}}

    def worker():
        conn = Conn(a.port)
        while True:
            with lock:
                i = state["next"]
                if i >= total:
                    break
                state["next"] = i + 1
            due = start + i * interval
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            try:
                status = conn.exchange(data, head_only)
                latency = (time.monotonic() - due) * 1000.0
                with lock:
                    state["lat"].append(latency)
                    state["statuses"][status] = state["statuses"].get(status, 0) + 1
                    if status in expect:
                        state["ok"] += 1
                    else:
                        state["unexpected"] += 1
            except (OSError, ValueError, IndexError):
                conn.close()
                with lock:
                    state["errors"] += 1
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(a.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = sorted(state["lat"])
    elapsed = max(1e-9, time.monotonic() - start)
    print(json.dumps({
        "sent": total, "ok": state["ok"], "unexpected": state["unexpected"], "errors": state["errors"],
        "statuses": {str(k): v for k, v in sorted(state["statuses"].items())},
        "rate": round(len(lat) / elapsed, 1),
        "p50_ms": round(percentile(lat, 50), 2), "p99_ms": round(percentile(lat, 99), 2),
        "max_ms": round(lat[-1] if lat else 0.0, 2),
    }), flush=True)


def cmd_hold(a):
    raise_nofile(a.connections + 256)
    data = request_bytes("GET", a.path, [])
    conns, ok, errors = [], 0, 0
    for _ in range(a.connections):
        c = Conn(a.port)
        try:
            c.connect()
            c.sock.sendall(data)
            conns.append(c)
        except OSError:
            errors += 1
    for c in conns:
        try:
            c.read_response(False)
            ok += 1
        except (OSError, ValueError):
            errors += 1
    print(f"ready {ok}", flush=True)
    deadline = time.monotonic() + a.seconds
    # Wait for stdin to close (or the time to pass), connections idle.
    t = threading.Thread(target=lambda: sys.stdin.read(), daemon=True)
    t.start()
    t.join(max(0.0, deadline - time.monotonic()))
    still_open = 0
    for c in conns:
        try:
            c.sock.setblocking(False)
            try:
                still_open += 0 if c.sock.recv(1) == b"" else 1
            except BlockingIOError:
                still_open += 1
        except OSError:
            pass
        c.close()
    print(json.dumps({"connections": a.connections, "answered": ok, "errors": errors, "open_at_end": still_open}), flush=True)


def one_burst(a, data, addresses):
    import selectors
    sel = selectors.DefaultSelector()
    conns = []
    for i in range(a.clients):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if addresses:
            s.bind((f"127.0.{1 + i // 200}.{2 + i % 200}", 0))
        s.connect(("127.0.0.1", a.port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conns.append(s)
    start = time.monotonic()
    sent_at = {}
    for s in conns:
        s.sendall(data)
        sent_at[s] = time.monotonic()
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, bytearray())
    results = []   # (status, latency_ms, retry_after)
    errors = 0
    deadline = start + a.timeout
    while sel.get_map() and time.monotonic() < deadline:
        for key, _ in sel.select(timeout=0.5):
            s, buf = key.fileobj, key.data
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if chunk:
                buf += chunk
                continue
            latency = (time.monotonic() - sent_at[s]) * 1000.0
            sel.unregister(s)
            s.close()
            head = bytes(buf).split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            try:
                status = int(head[0].split()[1])
            except (IndexError, ValueError):
                errors += 1
                continue
            retry = None
            for line in head[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"retry-after":
                    retry = value.strip().decode()
            results.append((status, latency, retry))
    for key in list(sel.get_map().values()):
        key.fileobj.close()
        errors += 1
    return results, errors


def cmd_burst(a):
    raise_nofile(a.clients + 256)
    headers = list(a.header or []) + ["Connection: close"]
    body = a.body.encode() if a.body else b""
    if body:
        headers += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    data = request_bytes(a.method, a.path, headers) + body
    results, errors, bursts = [], 0, 0
    until = time.monotonic() + (a.repeat_seconds or 0)
    while True:
        r, e = one_burst(a, data, a.distinct_addresses)
        results += r
        errors += e
        bursts += 1
        if time.monotonic() >= until:
            break
    by_status = {}
    for status, latency, _ in results:
        by_status.setdefault(status, []).append(latency)
    retry_after = {}
    for _, _, retry in results:
        if retry is not None:
            retry_after[retry] = retry_after.get(retry, 0) + 1
    print(json.dumps({
        "bursts": bursts, "clients": a.clients, "errors": errors,
        "statuses": {str(k): {"count": len(v), "p50_ms": round(percentile(sorted(v), 50), 2),
                              "p99_ms": round(percentile(sorted(v), 99), 2), "max_ms": round(max(v), 2)}
                     for k, v in sorted(by_status.items())},
        "retry_after": retry_after,
    }), flush=True)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rate")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--rate", type=float, required=True)
    r.add_argument("--seconds", type=float, required=True)
    r.add_argument("--connections", type=int, default=8)
    r.add_argument("--method", default="GET")
    r.add_argument("--path", default="/")
    r.add_argument("--header", action="append")
    r.add_argument("--expect", default="200")
    h = sub.add_parser("hold")
    h.add_argument("--port", type=int, required=True)
    h.add_argument("--connections", type=int, required=True)
    h.add_argument("--seconds", type=float, default=60)
    h.add_argument("--path", default="/api/v1/user")
    b = sub.add_parser("burst")
    b.add_argument("--port", type=int, required=True)
    b.add_argument("--clients", type=int, required=True)
    b.add_argument("--method", default="GET")
    b.add_argument("--path", default="/")
    b.add_argument("--header", action="append")
    b.add_argument("--body")
    b.add_argument("--distinct-addresses", action="store_true")
    b.add_argument("--repeat-seconds", type=float)
    b.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    {"rate": cmd_rate, "hold": cmd_hold, "burst": cmd_burst}[a.cmd](a)


if __name__ == "__main__":
    main()
