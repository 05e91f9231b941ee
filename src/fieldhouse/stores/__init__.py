"""Stores: where rows land.  One protocol (:class:`Store`), one implementation per backend."""

from __future__ import annotations

from ..urls import DatabaseURL
from .base import BaseStore, Store
from .capabilities import Capabilities
from .catalog import CatalogEntry
from .result import Conflict, Rejected, UpsertResult


def connect(url: str | DatabaseURL) -> BaseStore:
    """Open the store for a database URL: ``sqlite:///path.db``, ``postgresql://...`` or a
    Delta lake, ``delta:///path/to/lake`` (``pip install 'fieldhouse[delta]'``, docs/lake.md).

    Use it as a context manager so the connection is closed::

        with fieldhouse.connect("sqlite:///fieldhouse.db") as store:
            store.upsert(table, rows)
    """
    parsed = DatabaseURL.parse(url)
    if parsed.dialect == "sqlite":
        from .sqlite import SQLiteStore

        return SQLiteStore(parsed)
    if parsed.dialect == "delta":
        try:
            from .delta import DeltaStore
        except ImportError as exc:
            from ..errors import ConfigError

            raise ConfigError(f"a Delta lake needs the delta extra: pip install 'fieldhouse[delta]' ({exc})") from None
        return DeltaStore(parsed)
    from .postgresql import PostgresStore

    return PostgresStore(parsed)


__all__ = ["BaseStore", "Capabilities", "CatalogEntry", "Conflict", "Rejected", "Store", "UpsertResult", "connect"]
