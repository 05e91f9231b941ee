"""Stores opened read-only, for faces that must never write (the HTTP service).

SQLite: the file is opened with a ``mode=ro`` URI (no journal-mode change, no file created);
PostgreSQL: the session has ``default_transaction_read_only`` on, so any write fails in the
server.  Both give the same read API as :func:`fieldhouse.stores.connect`."""

from __future__ import annotations

import os
import sqlite3
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ..errors import StoreConnectionError
from ..urls import DatabaseURL
from .base import BaseStore
from .sqlite import SQLiteStore

READ_ONLY_OPTION = "-c default_transaction_read_only=on"


class ReadOnlySQLiteStore(SQLiteStore):
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

    return PostgresStore(read_only_url(parsed), connect_timeout=connect_timeout)
