"""A fault-injecting HTTP proxy for tests: sits in front of an OpenAI-compatible server on 127.0.0.1.

Standard library only. One fault mode per proxy, applied to the requests `when(n)` selects (n counts
requests from 1); every other request is passed through untouched. Every response carries
`Connection: close`, so each request arrives on a fresh connection and is counted once.

Modes:
  pass      forward everything
  latency   wait `latency` seconds, then forward
  status    answer `status` (e.g. 429 with `retry_after`, or 500) without asking the upstream
  reset     read the request, then close the socket with an RST (SO_LINGER 0), no answer
  refuse    forward this request, then stop listening: later connections are refused
  cut       forward the response headers and `cut_after` SSE events, then close in the middle:
            framing "chunked" cuts inside a chunk (incomplete chunked body), "close" sends a
            close-delimited body and cuts inside the next event's line, "boundary" sends a
            close-delimited body and stops cleanly between events (no [DONE], no finish_reason)
  hang      accept and read the request, never answer (until the client leaves or the proxy stops)

Bounded: the proxy stops itself after `max_life` seconds, hung handlers give up after `hang_max`,
handler threads are daemons, and `with FaultProxy(...)` stops it when the test ends.
"""

from __future__ import annotations

import http.client
import select
import socket
import struct
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

HOP = {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
       "content-length", "host"}


def first(n: int) -> Callable[[int], bool]:
    return lambda i: i <= n


def after(n: int) -> Callable[[int], bool]:
    return lambda i: i > n


def only(*ns: int) -> Callable[[int], bool]:
    return lambda i: i in ns


def always(_i: int) -> bool:
    return True


class FaultProxy:
    def __init__(self, upstream: str, mode: str = "pass", *, when: Callable[[int], bool] = always,
                 latency: float = 1.5, status: int = 500, retry_after: str | None = None, cut_after: int = 3,
                 framing: str = "chunked", hang_max: float = 60.0, max_life: float = 300.0) -> None:
        assert mode in ("pass", "latency", "status", "reset", "refuse", "cut", "hang"), mode
        assert framing in ("chunked", "close", "boundary"), framing
        parts = urlsplit(upstream)
        assert parts.hostname == "127.0.0.1", "all traffic stays on 127.0.0.1"
        self.upstream_host, self.upstream_port = parts.hostname, parts.port or 80
        self.mode, self.when = mode, when
        self.latency, self.status, self.retry_after = latency, status, retry_after
        self.cut_after, self.framing, self.hang_max = cut_after, framing, hang_max
        self.log: list[dict] = []  # one entry a request: n, t (arrival), done, path, stream, action
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        proxy = self

        class Handler(_Handler):
            owner = proxy

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"fault-proxy-{self.port}", daemon=True)
        self._thread.start()
        self._watchdog = threading.Timer(max_life, self.stop)
        self._watchdog.daemon = True
        self._watchdog.start()

    # ----- bookkeeping ------------------------------------------------------------------------
    def _register(self, path: str, stream: bool) -> dict:
        with self._lock:
            entry = {"n": len(self.log) + 1, "t": time.monotonic(), "path": path, "stream": stream,
                     "action": "pass"}
            if self.mode != "pass" and self.when(entry["n"]):
                entry["action"] = self.mode
            self.log.append(entry)
            return entry

    @property
    def count(self) -> int:
        with self._lock:
            return len(self.log)

    def actions(self) -> list[str]:
        with self._lock:
            return [e["action"] for e in self.log]

    # ----- lifetime -----------------------------------------------------------------------------
    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self._watchdog.cancel()
        if threading.current_thread() is not self._thread:
            self._server.shutdown()
        self._server.server_close()

    def stop_soon(self) -> None:
        """Stop listening from inside a handler (shutdown() would wait for the handler itself)."""
        threading.Thread(target=self.stop, daemon=True).start()

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 - quiet
        pass

    def do_GET(self) -> None:
        self._handle(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._handle(self.rfile.read(length) if length else b"")

    # ----- the faults ---------------------------------------------------------------------------
    def _handle(self, body: bytes) -> None:
        p = self.owner
        self.close_connection = True
        stream = b'"stream":true' in body.replace(b" ", b"")
        entry = p._register(self.path, stream)
        action = entry["action"]
        try:
            if action == "latency":
                time.sleep(p.latency)
            if action == "status":
                self._status(p.status, p.retry_after)
            elif action == "reset":
                self._reset()
            elif action == "hang":
                self._hang()
            else:
                self._forward(body, cut=action == "cut")
        finally:
            entry["done"] = time.monotonic()  # when the proxy finished with it (answered, cut, reset)
            if action == "refuse":
                p.stop_soon()

    def _status(self, code: int, retry_after: str | None) -> None:
        payload = (b'{"error": {"message": "injected by the fault proxy", "type": "fault", "code": %d}}' % code)
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()  # RST, nothing answered

    def _hang(self) -> None:
        p = self.owner
        deadline = time.monotonic() + p.hang_max
        while not p._stopped.is_set() and time.monotonic() < deadline:
            ready, _, _ = select.select([self.connection], [], [], 0.2)
            if ready:
                try:
                    if not self.connection.recv(1024):
                        return  # the client gave up
                except OSError:
                    return

    def _forward(self, body: bytes, cut: bool) -> None:
        p = self.owner
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        headers["Connection"] = "close"
        conn = http.client.HTTPConnection(p.upstream_host, p.upstream_port, timeout=120)
        try:
            conn.request(self.command, self.path, body=body or None, headers=headers)
            resp = conn.getresponse()
            is_sse = "text/event-stream" in (resp.getheader("Content-Type") or "")
            out_headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
            self.send_response(resp.status, resp.reason)
            for k, v in out_headers:
                self.send_header(k, v)
            self.send_header("Connection", "close")
            if not is_sse:
                data = resp.read()
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            chunked = not cut or p.framing == "chunked"
            if chunked:
                self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            events = 0
            while True:
                line = resp.readline()
                if not line:
                    break
                if cut and events >= p.cut_after and line.startswith(b"data:"):
                    self._cut(line, chunked)
                    return
                self._write(line, chunked)
                if line.startswith(b"data:"):
                    events += 1
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (OSError, http.client.HTTPException):
            pass  # the client or the upstream went away: nothing more to relay
        finally:
            conn.close()

    def _write(self, data: bytes, chunked: bool) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
        self.wfile.flush()

    def _cut(self, line: bytes, chunked: bool) -> None:
        half = line[: max(1, len(line) // 2)]
        if chunked:  # a chunk announced in full, half of it sent
            self.wfile.write(b"%x\r\n%s" % (len(line), half))
        elif self.owner.framing == "close":  # inside the next event's JSON
            self.wfile.write(half)
        self.wfile.flush()
        # an ordinary close (FIN) mid-body: the client sees the body end early
