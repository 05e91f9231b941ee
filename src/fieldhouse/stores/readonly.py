"""Stores opened read-only, for faces that must never write (the HTTP service).

SQLite: the file is opened with a ``mode=ro`` URI (no journal-mode change, no file created);
PostgreSQL: the session has ``default_transaction_read_only`` on, so any write fails in the
server.  Both give the same read API as :func:`fieldhouse.stores.connect`.

A read-only store cannot add the columns a newer fieldhouse declares (``ensure_table`` does
that on the next run), so its reads take a declared column the table does not have yet as
NULL instead of failing: a database written by the previous release stays readable."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..errors import StoreConnectionError
from ..table import Table
from ..urls import DatabaseURL
from .base import BaseStore
from .sqlite import SQLiteStore

READ_ONLY_OPTION = "-c default_transaction_read_only=on"


class _MissingColumnsAreNull:
    """Reads of every column (no ``columns`` given) leave out the declared columns the
    stored table lacks and give them as None."""

    def _missing(self, table: Table) -> list[str]:
        held = self.__dict__.setdefault("_columns_held", {})
        if table.name not in held:
            found = self._describe(table)  # type: ignore[attr-defined]
            held[table.name] = [c for c in table.columns if found is not None and c not in found[0]]
        return held[table.name]

    def _narrowed(self, table: Table, columns: Sequence[str] | None) -> Sequence[str] | None:
        missing = self._missing(table) if columns is None else []
        return [c for c in table.columns if c not in missing] if missing else columns

    def rows(self, table: Table, where: Mapping[str, Any] | None = None,
             columns: Sequence[str] | None = None, **kwargs: Any) -> list[dict[str, Any]]:
        found = super().rows(table, where, self._narrowed(table, columns), **kwargs)  # type: ignore[misc]
        return found if columns is not None else [{c: r.get(c) for c in table.columns} for r in found]

    def iter_rows(self, table: Table, where: Mapping[str, Any] | None = None,
                  columns: Sequence[str] | None = None, **kwargs: Any) -> Iterator[dict[str, Any]]:
        found = super().iter_rows(table, where, self._narrowed(table, columns), **kwargs)  # type: ignore[misc]
        return found if columns is not None else ({c: r.get(c) for c in table.columns} for r in found)


class ReadOnlySQLiteStore(_MissingColumnsAreNull, SQLiteStore):
    """A SQLite file opened with ``mode=ro``: every write fails with SQLite's own error."""

    def __init__(self, url: DatabaseURL, *, timeout: float = 10.0) -> None:
        BaseStore.__init__(self, url)
        self._locks = {}
        self._wal = False
        self._read_conn = None
        path = url.sqlite_path
        if path == ":memory:" or not os.path.isfile(path):
            raise StoreConnectionError(f"cannot open SQLite database {path!r} read-only: no such file")
        try:
            self.conn = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True,
                                        timeout=timeout, isolation_level=None, check_same_thread=False)
            self.conn.execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreConnectionError(f"cannot open SQLite database {path!r} read-only: {exc}") from None


def read_only_url(url: DatabaseURL) -> DatabaseURL:
    """A PostgreSQL URL whose sessions start read-only (``options=-c
    default_transaction_read_only=on`` added to what the URL already sets)."""
    parts = urlsplit(url.postgres_conninfo())
    query = parse_qsl(parts.query, keep_blank_values=True)
    options = " ".join([*(v for k, v in query if k == "options"), READ_ONLY_OPTION])
    query = [(k, v) for k, v in query if k != "options"] + [("options", options)]
    raw = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query, quote_via=quote), parts.fragment))
    return DatabaseURL(raw, "postgresql")


def connect_read_only(url: str | DatabaseURL, *, connect_timeout: int = 5) -> BaseStore:
    """Open the store for ``url`` read-only (see the module docstring)."""
    parsed = DatabaseURL.parse(url)
    if parsed.dialect == "sqlite":
        return ReadOnlySQLiteStore(parsed)
    from .postgresql import PostgresStore

    class ReadOnlyPostgresStore(_MissingColumnsAreNull, PostgresStore):
        """A PostgreSQL session with ``default_transaction_read_only`` on."""

    return ReadOnlyPostgresStore(read_only_url(parsed), connect_timeout=connect_timeout)
