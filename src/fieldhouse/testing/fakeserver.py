"""An in-process fake of the stats APIs for tests: 127.0.0.1, a random port, no internet.

It serves recorded responses and, on request, injects the faults real APIs show::

    with FakeStatsServer() as server:
        server.add_file("/stats/leaguegamelog", fixtures / "leaguegamelog/....json",
                        match={"Season": "2018-19"})
        server.fail("status", status=429, retry_after="7")   # the next request gets a 429
        server.fail("reset", times=2)                         # then two connection resets
        fetcher = Fetcher("example", server.url("/stats"), ...)

Faults are queued and consumed one per request (optionally only by requests to one path).
Kinds: ``delay`` (``seconds``, then the normal answer), ``status`` (``status``, optional
``retry_after`` header and ``body``), ``reset`` (TCP reset, no answer), ``truncate`` (200
with the first ``keep`` fraction of the body, Content-Length consistent), ``cut`` (200
whose connection closes mid-body, Content-Length promising more), ``empty`` (200 ``{}``),
``body`` (200 with the given ``body``).  Every request is recorded in :attr:`requests`.
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

KINDS = ("delay", "status", "reset", "truncate", "cut", "empty", "body")


def load_fixture_body(path: str | Path) -> bytes:
    """The API body of a recorded fixture: raw JSON files as they are; ``.json.gz`` files
    unzipped; pymlb envelopes (``*.pymlb_envelope.json.gz``) unwrapped to ``response``."""
    path = Path(path)
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        raw = gzip.decompress(raw)
    if ".pymlb_envelope." in path.name:
        return json.dumps(json.loads(raw)["response"]).encode()
    return raw


@dataclass
class Fault:
    kind: str
    path: str | None = None
    seconds: float = 0.0
    status: int = 500
    retry_after: str | None = None
    body: bytes | None = None
    keep: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}: use one of {', '.join(KINDS)}")


@dataclass
class Route:
    path: str
    body: bytes
    match: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Seen:
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    fault: str | None
    #: When the request arrived (``time.monotonic()`` of the test process): rate-limit tests.
    at: float = field(default_factory=time.monotonic)


class FakeStatsServer:
    """See the module docstring.  Use as a context manager (starts and stops the thread)."""

    def __init__(self) -> None:
        self.routes: list[Route] = []
        self.faults: deque[Fault] = deque()
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        self._release = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def start(self) -> FakeStatsServer:
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), name="fake-stats",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeStatsServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start the server first"
        return self._httpd.server_address[1]

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    # -- content -------------------------------------------------------------------------
    def add(self, path: str, body: bytes | str | Any, match: dict[str, Any] | None = None) -> Route:
        """Serve ``body`` (bytes, text, or an object sent as JSON) at ``path`` for requests
        whose query holds every ``match`` item.  The most specific matching route wins."""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes | bytearray):
            body = json.dumps(body).encode()
        route = Route(path, bytes(body), {k: str(v) for k, v in (match or {}).items()})
        with self._lock:
            self.routes.append(route)
        return route

    def add_file(self, path: str, file: str | Path, match: dict[str, Any] | None = None) -> Route:
        return self.add(path, load_fixture_body(file), match)

    def replace(self, path: str, body: bytes | str | Any, match: dict[str, Any] | None = None) -> Route:
        """:meth:`add`, removing first any route of the same path and match (serve an older
        capture of a request, then a newer one)."""
        match = {k: str(v) for k, v in (match or {}).items()}
        with self._lock:
            self.routes = [r for r in self.routes if not (r.path == path and r.match == match)]
        return self.add(path, body, match)

    def fail(self, kind: str, *, times: int = 1, path: str | None = None, **options: Any) -> None:
        """Queue ``times`` faults of ``kind`` for the next requests (to ``path`` if given)."""
        with self._lock:
            for _ in range(times):
                self.faults.append(Fault(kind, path, **options))

    def hits(self, path: str | None = None) -> int:
        return sum(1 for r in self.requests if path is None or r.path == path)

    # -- used by the handler ---------------------------------------------------------------
    def _next_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.path is None or fault.path == path:
                    self.faults.remove(fault)
                    return fault
        return None

    def _route(self, path: str, query: dict[str, str]) -> Route | None:
        with self._lock:
            candidates = [r for r in self.routes if r.path == path
                          and all(query.get(k) == v for k, v in r.match.items())]
        if not candidates:
            return None
        return max(candidates, key=lambda r: len(r.match))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and client timeouts are faults we inject, not errors


class _Handler(BaseHTTPRequestHandler):
    owner: FakeStatsServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        try:
            super().finish()
        except (OSError, ValueError):  # the socket was reset on purpose
            pass

    def do_GET(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        fault = self.owner._next_fault(parts.path)
        with self.owner._lock:
            self.owner.requests.append(
                Seen(parts.path, query, dict(self.headers.items()), fault.kind if fault else None))
        if fault is not None:
            if fault.kind == "reset":
                self._reset()
                return
            if fault.kind == "status":
                extra = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                self._send(fault.status, fault.body or b'{"message": "fault"}', extra)
                return
            if fault.kind == "empty":
                self._send(200, b"{}")
                return
            if fault.kind == "body":
                self._send(200, fault.body or b"")
                return
            if fault.kind == "delay":
                self.owner._release.wait(fault.seconds)
        route = self.owner._route(parts.path, query)
        if route is None:
            self._send(404, json.dumps({"message": f"no route for {parts.path}"}).encode())
            return
        body = route.body
        if fault is not None and fault.kind == "truncate":
            self._send(200, body[: max(1, int(len(body) * fault.keep))])
            return
        if fault is not None and fault.kind == "cut":
            self.send_response(200)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self._reset()
            return
        self._send(200, body, content_type=route.content_type)

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
              content_type: str = "application/json; charset=utf-8") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
            self.close_connection = True

    def _reset(self) -> None:
        """Close the socket with SO_LINGER 0: the client sees a TCP reset."""
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass
        self.close_connection = True
