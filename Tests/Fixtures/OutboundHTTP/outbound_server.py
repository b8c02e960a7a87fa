#!/usr/bin/env python3
"""Loopback HTTP(S) servers for the outbound HTTP tests (OutboundHTTPTests).

    outbound_server.py --http NAME ... --https NAME:CERT:KEY ...

Starts one plain-HTTP server per --http and one HTTPS server per --https on
127.0.0.1 with ephemeral ports, prints {"NAME": port, ...} as one JSON line
on stdout once all listen, and serves until killed (or stdin closes).
Every server answers the same routes:

    /ok               200 "hello", X-Echo-Probe: the request's X-Probe,
                      X-Method: the request's method
    /echo             200 with the request body (any method)
    /status/CODE      that status, body "status CODE"
    /hang             reads the request, then never answers (for timeouts)
    /big/BYTES        BYTES of "x" with a Content-Length
    /stream/BYTES     BYTES of "x" without a length (ends by closing)
    /redirect/N       302 to /redirect/N-1; /redirect/0 redirects to /ok
    /redirect-to?u=U  302 to the URL U (percent-encoded)
"""
import json
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def request_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def route(self):
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        body = self.request_body()
        if path == "/ok":
            return self.answer(200, b"hello", [("X-Echo-Probe", self.headers.get("X-Probe", "")),
                                               ("X-Method", self.command)])
        if path == "/echo":
            return self.answer(200, body, [("X-Method", self.command)])
        if path.startswith("/status/"):
            code = int(path[len("/status/"):])
            return self.answer(code, ("status %d" % code).encode())
        if path == "/hang":
            time.sleep(120)
            return None
        if path.startswith("/big/"):
            return self.answer(200, b"x" * int(path[len("/big/"):]))
        if path.startswith("/stream/"):
            count = int(path[len("/stream/"):])
            self.send_response(200)
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            chunk = b"x" * 65536
            while count > 0:
                self.wfile.write(chunk[:count])
                count -= len(chunk)
            return None
        if path.startswith("/redirect/"):
            n = int(path[len("/redirect/"):])
            target = "/ok" if n == 0 else "/redirect/%d" % (n - 1)
            return self.answer(302, b"", [("Location", target)])
        if path == "/redirect-to":
            target = urllib.parse.parse_qs(parsed.query)["u"][0]
            return self.answer(302, b"", [("Location", target)])
        return self.answer(404, b"no such route")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = route


def main():
    servers = {}
    args = sys.argv[1:]
    while args:
        kind, spec = args[0], args[1]
        args = args[2:]
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        # Clients hanging up mid-answer (size limits, timeouts) are expected.
        server.handle_error = lambda request, address: None
        if kind == "--https":
            name, cert, key = spec.split(":")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(cert, key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        else:
            name = spec
        servers[name] = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({name: s.server_address[1] for name, s in servers.items()}), flush=True)
    sys.stdin.read()  # the test closes stdin (or kills us) to stop


if __name__ == "__main__":
    main()
