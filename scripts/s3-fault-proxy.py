#!/usr/bin/env python3
"""A faulty object store: a reverse proxy on 127.0.0.1 in front of an S3-protocol server that,
at seeded rates, answers what a real S3 answers on a bad day.

  s3-fault-proxy.py --upstream http://127.0.0.1:PORT [--port 0] [--seed S] [--rate-503 R] ...

Each request is read whole, then one draw of a seeded random generator picks its fate:

  503     503 SlowDown with S3's XML error body; the request never reaches the server
  500     500 InternalError; half the time after the server applied the request (S3 may do both)
  reset   the connection reset (RST) with no answer; half the time after the server applied it
  cut     the answer's status and headers, part of its body, then a reset
  delay   the answer held back for up to --delay-max seconds
  (else)  forwarded as it is

Python stdlib only. The first line on stdout is the port it listens on. Control paths (not
bucket names: S3 buckets cannot start with '_'): GET /__faults/off, /__faults/on (stop and
resume injecting) and /__faults/stats (JSON counts); the counts are also printed on stderr at exit.
Only for tests on this machine: it listens on 127.0.0.1 and forwards only to --upstream.
"""
import argparse
import http.client
import http.server
import json
import random
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
import uuid

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "proxy-connection"}
KINDS = ("503", "500", "reset", "cut", "delay")


class Faults:
    """The seeded draw and the counts, shared by the handler threads."""

    def __init__(self, seed, rates, delay_max):
        self.rng = random.Random(seed)
        self.rates = rates
        self.delay_max = delay_max
        self.enabled = True
        self.lock = threading.Lock()
        self.counts = {"requests": 0, "forwarded": 0, **{k: 0 for k in KINDS}}

    def draw(self):
        """(kind or None, a second uniform draw for the variant) for the next request."""
        with self.lock:
            self.counts["requests"] += 1
            r, variant = self.rng.random(), self.rng.random()
            if not self.enabled:
                return None, variant
            edge = 0.0
            for kind in KINDS:
                edge += self.rates[kind]
                if r < edge:
                    self.counts[kind] += 1
                    return kind, variant
            return None, variant

    def count(self, key):
        with self.lock:
            self.counts[key] += 1

    def stats(self):
        with self.lock:
            return dict(self.counts, enabled=self.enabled)


def s3_error(code, message, resource):
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>%s</Code><Message>%s</Message>'
            '<Resource>%s</Resource><RequestId>%s</RequestId></Error>'
            % (code, message, resource, uuid.uuid4().hex[:16].upper())).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, and '100 Continue' for the SDK's Expect header
    server_version = "s3-fault-proxy"

    def log_message(self, fmt, *args):  # quiet: the counts tell the story
        pass

    def do_request(self):
        faults = self.server.faults
        if self.path.startswith("/__faults/"):
            return self.control(self.path[len("/__faults/"):])
        body = self.read_body()
        if body is None:
            return
        kind, variant = faults.draw()
        if kind == "503":
            return self.answer_error(503, "SlowDown", "Please reduce your request rate.")
        if kind == "500" and variant < 0.5:
            return self.answer_error(500, "InternalError", "We encountered an internal error. Please try again.")
        if kind == "reset" and variant < 0.5:
            return self.reset()
        status, reason, headers, payload = self.forward(body)
        faults.count("forwarded")
        if kind == "500":
            return self.answer_error(500, "InternalError", "We encountered an internal error. Please try again.")
        if kind == "reset":
            return self.reset()
        if kind == "delay":
            time.sleep(variant * faults.delay_max)
        self.send_response_only(status, reason)
        for name, value in headers:
            self.send_header(name, value)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if kind == "cut":
            # Headers out, then part of the body (none for an empty one), then a reset.
            if self.command != "HEAD" and payload:
                self.wfile.write(payload[: int(len(payload) * variant)])
            self.wfile.flush()
            return self.reset()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_request

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if len(body) != length:
            self.close_connection = True
            return None
        return body

    def forward(self, body):
        up = self.server.upstream
        conn = http.client.HTTPConnection(up.hostname, up.port, timeout=120)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"expect", "content-length"}}
            if body or self.command in ("PUT", "POST"):
                headers["Content-Length"] = str(len(body))
            conn.request(self.command, self.path, body=body if body else None, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            kept = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP_BY_HOP
                    and (self.command == "HEAD" or k.lower() != "content-length")]
            return resp.status, resp.reason, kept, payload
        finally:
            conn.close()

    def answer_error(self, status, code, message):
        payload = s3_error(code, message, urllib.parse.urlsplit(self.path).path)
        self.send_response_only(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(payload)) if self.command != "HEAD" else "0")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.wfile.flush()

    def reset(self):
        """Closes the connection with a TCP reset (SO_LINGER 0), as a dying load balancer does."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True

    def finish(self):
        try:
            super().finish()
        except (OSError, ValueError):
            pass  # the socket was reset on purpose

    def control(self, what):
        faults = self.server.faults
        if what in ("on", "off"):
            with faults.lock:
                faults.enabled = what == "on"
        elif what != "stats":
            self.send_error(404)
            return
        payload = json.dumps(faults.stats()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass  # clients reset by us, or gone: nothing to report


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--upstream", required=True, help="the S3 server, e.g. http://127.0.0.1:5000")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rate-503", type=float, default=0.0, help="share of requests answered 503 SlowDown")
    p.add_argument("--rate-500", type=float, default=0.0, help="share answered 500 InternalError")
    p.add_argument("--rate-reset", type=float, default=0.0, help="share whose connection is reset unanswered")
    p.add_argument("--rate-cut", type=float, default=0.0, help="share whose answer is cut by a reset midway")
    p.add_argument("--rate-delay", type=float, default=0.0, help="share whose answer is delayed")
    p.add_argument("--delay-max", type=float, default=2.0, help="longest delay, seconds")
    p.add_argument("--off", action="store_true", help="start with faults off (GET /__faults/on turns them on)")
    a = p.parse_args()
    rates = {"503": a.rate_503, "500": a.rate_500, "reset": a.rate_reset, "cut": a.rate_cut, "delay": a.rate_delay}
    if any(r < 0 for r in rates.values()) or sum(rates.values()) > 1:
        p.error("rates must be >= 0 and add up to at most 1")
    upstream = urllib.parse.urlsplit(a.upstream)
    if upstream.scheme != "http" or upstream.hostname not in ("127.0.0.1", "localhost", "::1"):
        p.error("--upstream must be an http:// server on this machine")
    server = Server(("127.0.0.1", a.port), Handler)
    server.upstream = upstream
    server.faults = Faults(a.seed, rates, a.delay_max)
    server.faults.enabled = not a.off
    print(server.server_address[1], flush=True)

    def stop(*_):
        print("s3-fault-proxy: " + json.dumps(server.faults.stats()), file=sys.stderr, flush=True)
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
