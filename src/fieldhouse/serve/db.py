"""One read-only pair of stores per request (SQLite ``mode=ro``, PostgreSQL
``default_transaction_read_only``); an unreachable database is :class:`Unavailable`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import FieldhouseError, StoreConnectionError
from ..runs import ledger
from ..settings import Settings
from ..sources import registry
from ..stores.readonly import connect_read_only
from ..stores.roles import Stores


class Unavailable(Exception):
    """The database cannot be read (the message names no URL and no password)."""


@contextmanager
def read_stores(settings: Settings) -> Iterator[Stores]:
    try:
        store = connect_read_only(settings.database)
    except (StoreConnectionError, FieldhouseError, OSError) as exc:
        raise Unavailable(f"the {settings.database.dialect} database is unreachable"
                          f"{_why(exc)}") from None
    try:
        yield Stores(store, store)
    finally:
        store.close()


def _why(exc: BaseException) -> str:
    """A short, URL-free cause: SQLite's 'no such file', PostgreSQL's 'connection refused'."""
    text = str(exc).lower()
    for cause in ("no such file", "connection refused", "timeout", "does not exist", "authentication failed",
                  "unable to open"):
        if cause in text:
            return f" ({cause})"
    return ""


def installed_sources() -> list[Any]:
    """Every installed source (their tables are looked for in the data store)."""
    return [registry.get(name) for name in registry.names()]


def schema_problem(control: Any) -> tuple[int | None, str | None]:
    """The recorded schema version and, if this fieldhouse cannot read it, why."""
    found = ledger.schema_version(control)
    if found is not None and found != ledger.SCHEMA_VERSION:
        return found, (f"the database is at schema version {found}; this fieldhouse reads version "
                       f"{ledger.SCHEMA_VERSION}")
    return found, None
