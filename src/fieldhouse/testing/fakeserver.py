"""An in-process fake of the stats APIs for tests: 127.0.0.1, a random port, no internet.

It serves recorded responses and, on request, injects the faults real APIs show::

    with FakeStatsServer() as server:
        server.add_file("/stats/leaguegamelog", fixtures / "nba/leaguegamelog/....json",
                        match={"Season": "2018-19"})
        server.fail("status", status=429, retry_after="7")   # the next request gets a 429
        server.fail("reset", times=2)                         # then two connection resets
        fetcher = Fetcher("nba", server.url("/stats"), ...)

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

    def add_mlb_file(self, file: str | Path, prefix: str = "/api") -> Route | None:
        """Serve one recorded MLB response (plain, gzipped or a pymlb envelope) where the
        Stats API answers it under ``prefix``, matched by the query the file records: a
        feed at ``/v1.1/game/{gamePk}/feed/live``; a schedule at ``/v1/schedule`` for
        ``startDate``/``endDate`` = its first and last date; teams by ``season``; people by
        ``personIds``; seasons at ``/v1/seasons/{seasonId}``; box score, line score and
        playByPlay under ``/v1/game/{gamePk}/``.  It replaces a route of the same request
        (serve an older capture, then a newer one).  None: the file is not usable."""
        from ..sources.mlb.files import Recorded, read_file

        found = read_file(file)
        if not isinstance(found, Recorded):
            return None
        where = _mlb_route(found.kind, found.params)
        if where is None:
            return None
        path, match = prefix.rstrip("/") + where[0], {k: str(v) for k, v in where[1].items()}
        with self._lock:
            self.routes = [r for r in self.routes if not (r.path == path and r.match == match)]
        return self.add(path, load_fixture_body(file), match)

    def add_mlb_folder(self, folder: str | Path, prefix: str = "/api") -> list[Route]:
        """:meth:`add_mlb_file` for every file under ``folder`` (name order; files whose
        names say they were altered, ``_EDITED`` / ``_TRIMMED``, are left out)."""
        routes = []
        for file in sorted(Path(folder).rglob("*")):
            if file.is_file() and not any(tag in file.name for tag in ("_EDITED", "_TRIMMED")):
                route = self.add_mlb_file(file, prefix)
                if route is not None:
                    routes.append(route)
        return routes

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


def _mlb_route(kind: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(path under the prefix, query to match) of a recorded MLB response."""
    pk = params.get("gamePk")
    game = {"feed": "/v1.1/game/{pk}/feed/live", "boxscore": "/v1/game/{pk}/boxscore",
            "linescore": "/v1/game/{pk}/linescore", "play_by_play": "/v1/game/{pk}/playByPlay"}
    if kind in game:
        return (game[kind].format(pk=pk), {}) if pk is not None else None
    if kind == "schedule":
        first = params.get("startDate") or params.get("date")
        last = params.get("endDate") or params.get("date")
        return ("/v1/schedule", {"startDate": first, "endDate": last}) if first and last else None
    if kind == "teams" and params.get("season"):
        return "/v1/teams", {"season": params["season"]}
    if kind == "people" and params.get("personIds"):
        return "/v1/people", {"personIds": params["personIds"]}
    if kind == "seasons" and params.get("seasonId"):
        return f"/v1/seasons/{params['seasonId']}", {}
    return None


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
