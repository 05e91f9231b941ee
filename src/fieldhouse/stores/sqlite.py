"""The SQLite store: the embedded default (``sqlite:///fieldhouse.db``)."""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..errors import StoreConnectionError
from ..table import Table
from ..types import json_text, timestamp_text
from ..urls import DatabaseURL
from . import sqlite_sql as sql
from .base import BaseStore
from .evolve import columns_to_add
from .prepare import Prepared, prepare

# Cast values -> what sqlite3 binds.  Timestamps become fixed-width UTC text, so that the
# database orders them correctly as text.
ADAPT = {
    "bool": int,
    "date": date.isoformat,
    "timestamptz": timestamp_text,
    "decimal": str,
    "json": json_text,
}


def _read_decimal(value: Any, scale: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-scale))


def _reader(ctype) -> Any:
    name = ctype.name
    if name == "bool":
        return bool
    if name == "date":
        return date.fromisoformat
    if name == "timestamptz":
        return datetime.fromisoformat
    if name == "decimal":
        return lambda v: _read_decimal(v, ctype.scale)
    if name == "json":
        return lambda v: json.loads(v) if isinstance(v, str) else v
    if name == "float":
        return float
    return None


_memory_locks: dict[str, threading.Lock] = {}


def lock_path(db_path: str, name: str) -> str:
    """The file ``store.lock(name)`` flocks: beside the database, one per lock name."""
    return f"{os.path.abspath(db_path)}.{re.sub(r'[^A-Za-z0-9_.-]', '_', name)}.lock"


class SQLiteStore(BaseStore):
    """One SQLite file; writers take the database's write lock for each transaction."""

    dialect = "sqlite"

    def __init__(self, url: DatabaseURL, *, timeout: float = 60.0) -> None:
        super().__init__(url)
        self._locks: dict[str, Any] = {}
        path = url.sqlite_path
        if path != ":memory:":
            folder = os.path.dirname(os.path.abspath(path))
            if not os.path.isdir(folder):
                raise StoreConnectionError(
                    f"cannot open SQLite database {path!r}: folder {folder!r} does not exist"
                )
        try:
            self.conn = sqlite3.connect(path, timeout=timeout, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                self.conn.execute("PRAGMA journal_mode = WAL")
                self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            raise StoreConnectionError(f"cannot open SQLite database {path!r}: {exc}") from None

    # -- transactions ----------------------------------------------------------------
    def _begin(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        for name in list(self._locks):
            self._unlock(name)
        self.conn.close()

    # -- named locks: flock on a file beside the database (released when the process dies)
    def _try_lock(self, name: str) -> bool:
        path = self.url.sqlite_path
        if path == ":memory:":
            lock = _memory_locks.setdefault(name, threading.Lock())
            if not lock.acquire(blocking=False):
                return False
            self._locks[name] = lock
            return True
        fd = os.open(lock_path(path, name), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._locks[name] = fd
        return True

    def _unlock(self, name: str) -> None:
        held = self._locks.pop(name, None)
        if isinstance(held, int):
            os.close(held)  # closing the descriptor releases the flock
        elif held is not None:
            held.release()

    # -- schema ----------------------------------------------------------------------
    def table_exists(self, table: Table) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = ?", (sql.table_name(table),)
        ).fetchone()
        return row is not None

    def ensure_table(self, table: Table) -> None:
        """Create the table, or add newly declared columns; refuse incompatible changes."""
        with self.transaction():
            info = self.conn.execute(sql.describe(table)).fetchall()
            if not info:
                self.conn.execute(sql.create_table(table))
            else:
                existing = {row[1]: row[2] for row in info}
                key = [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]
                for column in columns_to_add(table, existing, key, sql.type_sql):
                    self.conn.execute(sql.add_column(table, column))
        self._ensured.add(table.name)

    # -- writes ----------------------------------------------------------------------
    def _prepare(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> Prepared:
        return prepare(table, rows, ADAPT)

    def _apply(self, table: Table, prepared: Prepared, mode: str, written_at: datetime) -> dict[str, int]:
        if not prepared.rows:
            return {}
        cur = self.conn.cursor()
        cur.execute(sql.drop_stage())
        cur.execute(sql.create_stage(table))
        try:
            cur.executemany(sql.fill_stage(table), prepared.rows)
            inserted, newer, same, older, refreshed = cur.execute(sql.classify(table)).fetchone()
            params = (timestamp_text(written_at),) if table.written_at else ()
            cur.execute(sql.apply_stage(table, mode), params)
        finally:
            cur.execute(sql.drop_stage())
        if mode == "insert_new":
            return {"inserted": inserted, "unchanged": newer + same + older}
        return {"inserted": inserted, "updated": newer, "unchanged": same, "stale": older,
                "refreshed": refreshed}

    # -- reads -----------------------------------------------------------------------
    def rows(self, table: Table, where: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """All rows of ``table`` (optionally those equal to ``where``), in key order, as Python values."""
        where = dict(where or {})
        params = []
        for col, value in where.items():
            adapt = ADAPT.get(table.columns[col].type.name) if col in table.columns else None
            params.append(adapt(value) if adapt and value is not None else value)
        cur = self.conn.execute(sql.select_rows(table, list(where)), params)
        names = table.column_names
        readers = [_reader(table.columns[c].type) for c in names]
        out = []
        for record in cur:
            out.append({
                n: (r(v) if r is not None and v is not None else v)
                for n, r, v in zip(names, readers, record, strict=True)
            })
        return out

    def count(self, table: Table) -> int:
        return self.conn.execute(sql.count_rows(table)).fetchone()[0]

    def max_value(self, table: Table, column: str) -> Any:
        """The greatest value of ``column`` (None for an empty table), as a Python value."""
        value = self.conn.execute(sql.max_value(table, column)).fetchone()[0]
        reader = _reader(table.columns[column].type)
        return reader(value) if reader is not None and value is not None else value
