"""The Pulse: ``GET /`` (overall state, alerts, last runs, a chart of rows per run, freshness,
dead letters, failing audits) and ``GET /runs/{run_id}`` (units, errors, conflicts),
server-rendered with Jinja2; ``static/pulse.js`` refreshes the page from the JSON API.
With a token, ``/login`` takes it once and keeps it in an HttpOnly cookie."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import query
from ..errors import ConfigError
from . import bridge
from .db import Unavailable, read_stores
from .security import COOKIE, token_matches
from .status import down, run_view, system_status

router = APIRouter(include_in_schema=False)
TEMPLATES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                        autoescape=select_autoescape(["html"]))
ICONS = {"success": "✓", "ok": "✓", "passed": "✓", "partial": "◐", "degraded": "▲", "failed": "✗",
         "down": "✗", "abandoned": "☠", "running": "▶", "critical": "✗", "warning": "▲"}


def when(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return "" if value is None else str(value)


def ago(seconds: float | None) -> str:
    if seconds is None:
        return ""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.1f} {unit}"
    return f"{seconds:.0f} s"


def total(rows: dict[str, dict[str, int]] | None) -> int:
    return sum(sum(v for k, v in counts.items() if k != "unchanged") for counts in (rows or {}).values())


TEMPLATES.filters.update(when=when, ago=ago, total=total)
TEMPLATES.globals.update(icon=lambda status: ICONS.get(str(status), "•"))


def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    html = TEMPLATES.get_template(name).render(refresh=request.app.state.serve.serve_refresh, **context)
    return HTMLResponse(request.app.state.scrub(html), status_code=status_code)


@router.get("/", response_class=HTMLResponse)
def pulse(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    runs: list[Any] = []
    try:
        with read_stores(settings) as stores:
            found = system_status(stores.data, stores.control, settings)
            if found.state != "down" or found.database.reachable:
                runs = [run_view(r) for r in query.runs(stores.control, last=20)]
    except Unavailable as exc:
        found = down(settings, str(exc))
    return page(request, "pulse.html", 503 if found.state == "down" else 200, status=found, runs=runs)


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, run_id: str) -> HTMLResponse:
    settings = request.app.state.settings
    try:
        with read_stores(settings) as stores:
            try:
                run = query.run(stores.control, run_id)
            except ConfigError as exc:
                return page(request, "message.html", 400, title="Ambiguous run id", message=str(exc))
            if run is None:
                return page(request, "message.html", 404, title="No such run", message=f"no run {run_id!r}")
            conflicts = bridge.conflicts(stores.control, run.run_id, table=None, limit=200, offset=0)
            counts = bridge.conflict_counts(stores.control, run.run_id)
    except Unavailable as exc:
        return page(request, "message.html", 503, title="Database unreachable", message=str(exc))
    return page(request, "run.html", run=run, view=run_view(run), conflicts=conflicts, conflict_counts=counts)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return page(request, "login.html", failed=False)


@router.post("/login")
async def login(request: Request) -> Response:
    expected = request.app.state.serve.token
    if expected is None:
        return RedirectResponse("/", status_code=303)
    given = (parse_qs((await request.body()).decode("utf-8", "replace")).get("token") or [""])[0]
    if not token_matches(given, expected):
        return page(request, "login.html", 401, failed=True)
    answer = RedirectResponse("/", status_code=303)
    answer.set_cookie(COOKIE, given, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return answer

