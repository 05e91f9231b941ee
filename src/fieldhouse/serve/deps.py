"""What a route needs from the application: the settings, and read-only stores for the
length of one request."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request

from ..settings import Settings
from ..stores.roles import Stores
from .db import read_stores


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


def stores(request: Request) -> Iterator[Stores]:
    """Read-only stores; :class:`~fieldhouse.serve.db.Unavailable` (answered 503) if the
    database cannot be opened."""
    with read_stores(settings_of(request)) as opened:
        yield opened
