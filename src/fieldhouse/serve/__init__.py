"""``fieldhouse serve``: the HTTP service (FastAPI) over the query layer: the JSON API under
``/api/v1``, ``/healthz``, ``/readyz``, ``/metrics`` (Prometheus) and the Pulse dashboard at
``/``.  Read-only: it opens its database read-only and never writes or runs syncs.  See
docs/service.md."""

from __future__ import annotations

from typing import Any


def create_app(*args: Any, **kwargs: Any) -> Any:
    """The FastAPI application (see :func:`fieldhouse.serve.app.create_app`); FastAPI is
    imported only when it is called."""
    from .app import create_app as make

    return make(*args, **kwargs)


__all__ = ["create_app"]
