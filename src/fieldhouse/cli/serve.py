"""``fieldhouse serve``: the HTTP service and the Pulse dashboard (docs/service.md).  FastAPI
and uvicorn are imported only when the command runs (the ``serve`` extra)."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import EXIT_USAGE, DbOption, app, fail, settings_for


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to bind; anything but loopback needs "
                                      "FIELDHOUSE_API_TOKEN.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port to listen on.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the JSON API, /metrics and the dashboard, read-only, over the database."""
    try:
        import uvicorn

        from ..serve.app import create_app
        from ..serve.settings import ServeSettings, is_loopback
    except ImportError as exc:
        raise fail(f"fieldhouse serve needs the serve extra ({exc.name} is missing): "
                   "pip install 'fieldhouse[serve]'", EXIT_USAGE) from None
    settings = settings_for(db)
    serve = ServeSettings()
    if not is_loopback(host) and not serve.token:
        raise fail(f"refusing to bind {host}: the service would be reachable from other machines without a "
                   "token. Set FIELDHOUSE_API_TOKEN (clients then send Authorization: Bearer <token>) or bind "
                   "127.0.0.1", EXIT_USAGE)
    from ..runs.logs import setup_logging

    setup_logging(settings.log_level, settings.log_file or None)
    uvicorn.run(create_app(settings, serve), host=host, port=port, log_level="info", access_log=True,
                server_header=False, proxy_headers=False)
