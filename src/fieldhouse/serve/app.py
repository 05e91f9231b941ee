"""The application factory: routes, the token rule, CORS (off unless configured), error
answers without secrets, and the metrics registry."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from .._version import __version__
from ..settings import Settings, get_settings
from . import dashboard, metrics, routes_api, routes_health
from .db import Unavailable
from .security import COOKIE, Scrubber, bearer, needs_token, token_matches
from .settings import ServeSettings

HERE = Path(__file__).parent
log = logging.getLogger("fieldhouse.serve")


def scrubbed_json(scrub: Scrubber) -> type[JSONResponse]:
    class ScrubbedJSONResponse(JSONResponse):
        def render(self, content: Any) -> bytes:
            return scrub(super().render(content).decode("utf-8")).encode("utf-8")

    return ScrubbedJSONResponse


def create_app(settings: Settings | None = None, serve: ServeSettings | None = None) -> FastAPI:
    """The service over the database of ``settings`` (read-only), with the token and CORS
    rules of ``serve`` (default: the ``FIELDHOUSE_*`` environment)."""
    settings = settings or get_settings()
    serve = serve or ServeSettings()
    scrub = Scrubber(settings, serve)
    json_class = scrubbed_json(scrub)
    app = FastAPI(title="fieldhouse", version=__version__, default_response_class=json_class, redirect_slashes=False,
                  description="The flight recorder's API: runs, tables, dead letters, audits, alerts and "
                              "metrics, read-only (docs/service.md).")
    app.state.settings, app.state.serve, app.state.scrub = settings, serve, scrub
    app.state.json_response = json_class
    app.state.registry = metrics.registry_for(settings)
    for router in (routes_health.router, routes_api.router, metrics.router, dashboard.router):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
        return json_class({"detail": scrub(detail)}, status_code=status, headers=headers)

    @app.exception_handler(Unavailable)
    async def _unavailable(request: Request, exc: Unavailable) -> Response:
        return error(503, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> Response:
        return error(exc.status_code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        parts = [f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()]
        return error(422, "; ".join(parts) or "invalid request")


    if serve.token:
        expected = serve.token

        @app.middleware("http")
        async def _token(request: Request, call_next: Any) -> Response:
            if needs_token(request.url.path) and request.method != "OPTIONS":
                given = bearer(request.headers.get("authorization")) or request.cookies.get(COOKIE)
                if not token_matches(given, expected):
                    if request.url.path in ("/", "") or request.url.path.startswith("/runs/"):
                        return Response(status_code=303, headers={"location": "/login"})
                    return error(401, "a bearer token is required: send Authorization: Bearer <token>",
                                 {"WWW-Authenticate": "Bearer"})
            return await call_next(request)

    if serve.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=serve.cors_origins, allow_methods=["GET"],
                           allow_headers=["Authorization"], allow_credentials=False)

    @app.middleware("http")
    async def _unexpected(request: Request, call_next: Any) -> Response:
        """Any other failure: a 500 saying so, and one scrubbed log line (no traceback,
        which could carry a driver's message with the URL)."""
        try:
            return await call_next(request)
        except Exception as exc:
            log.error("%s %s failed: %s: %s", request.method, request.url.path, type(exc).__name__,
                      scrub(str(exc)))
            return error(500, "internal error (the service log has the cause)")

    return app
