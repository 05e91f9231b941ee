"""The SQLite store: the embedded default (``sqlite:///fieldhouse.db``)."""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from ..errors import StoreConnectionError
from ..table import Table
from ..types import json_text, timestamp_text
from ..urls import DatabaseURL
from . import reads
from . import sqlite_sql as sql
from .base import BaseStore
from .capabilities import FULL
from .prepare import Prepared

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
    capabilities = FULL
    adapt = ADAPT
    sql = sql

    def __init__(self, url: DatabaseURL, *, timeout: float = 60.0) -> None:
        super().__init__(url)
        self._locks: dict[str, Any] = {}
        self._wal = False
        self._read_conn: sqlite3.Connection | None = None
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
                mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                self._wal = str(mode).lower() == "wal"
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
        if self._read_conn is not None:
            self._read_conn.close()
            self._read_conn = None
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

    def _lock_ddl(self) -> None:
        pass  # BEGIN IMMEDIATE took the database's write lock

    def _describe(self, table: Table) -> tuple[dict[str, str], list[str]] | None:
        info = self.conn.execute(sql.describe(table)).fetchall()
        if not info:
            return None
        return {row[1]: row[2] for row in info}, [row[1] for row in sorted((r for r in info if r[5]), key=lambda r: r[5])]

    def _rerank_begin(self, table: Table) -> None:
        self.conn.execute(sql.drop_rerank())
        self.conn.execute(sql.create_rerank(table))

    def _rerank_add(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        adapters = [ADAPT.get(table.columns[k].type.name) for k in table.primary_key]
        self.conn.executemany(sql.fill_rerank(table), [
            (*(a(v) if a is not None and v is not None else v for a, v in zip(adapters, row, strict=False)), row[-1])
            for row in rows
        ])

    def _rerank_finish(self, table: Table) -> int:
        changed = self.conn.execute(sql.apply_rerank(table)).rowcount
        self.conn.execute(sql.drop_rerank())
        return changed

    # -- writes ----------------------------------------------------------------------
    def _apply(self, table: Table, prepared: Prepared, mode: str, written_at: datetime) -> dict[str, Any]:
        """Classify first on a narrow stage (key, version, rank), then send the rows
        straight to the table with one upsert each (executemany), only if some are new or
        newer.  The write lock is held throughout, so the classification is exact."""
        rows = prepared.rows
        if not rows:
            return {}
        columns = table.content_columns
        pick = itemgetter(*[columns.index(k) for k in table.primary_key], columns.index(table.version), -1)
        cur = self.conn.cursor()
        cur.execute(sql.drop_stage(sql.KEY_STAGE))
        cur.execute(sql.create_key_stage(table))
        try:
            cur.executemany(sql.fill_key_stage(table), map(pick, rows))
            inserted, newer, same, older, refreshed = cur.execute(sql.classify(table, sql.KEY_STAGE)).fetchone()
            conflicts = []
            if mode == "upsert" and older and prepared.conflict_limit:
                conflicts = self._conflicts(table, cur.execute(
                    sql.sample_stale(table, sql.KEY_STAGE), (prepared.conflict_limit,)).fetchall())
            if inserted or (newer and mode == "upsert"):
                if table.written_at:
                    extra = (timestamp_text(written_at),)
                    rows = [row + extra for row in rows]
                cur.executemany(sql.upsert_rows(table, mode), rows)
        finally:
            cur.execute(sql.drop_stage(sql.KEY_STAGE))
        if mode == "insert_new":
            return {"inserted": inserted, "unchanged": newer + same + older}
        return {"inserted": inserted, "updated": newer, "unchanged": same, "stale": older,
                "refreshed": refreshed, "conflicts": conflicts}

    def _apply_stage(self, cur: sqlite3.Cursor, table: Table, mode: str, written_at: datetime,
                     conflict_limit: int = 0) -> dict[str, Any]:
        inserted, newer, same, older, refreshed = cur.execute(sql.classify(table)).fetchone()
        conflicts = []
        if mode == "upsert" and older and conflict_limit:  # before the write: the stored versions
            conflicts = self._conflicts(table, cur.execute(sql.sample_stale(table), (conflict_limit,)).fetchall())
        params = (timestamp_text(written_at),) if table.written_at else ()
        cur.execute(sql.apply_stage(table, mode), params)
        if mode == "insert_new":
            return {"inserted": inserted, "unchanged": newer + same + older}
        if mode == "replace":  # every staged row that differs is written
            return {"inserted": inserted, "updated": newer + older, "unchanged": same, "refreshed": refreshed}
        return {"inserted": inserted, "updated": newer, "unchanged": same, "stale": older,
                "refreshed": refreshed, "conflicts": conflicts}

    def _apply_snapshots(self, table: Table, prepared: Prepared, markers: Table,
                         marker_rows: list[tuple[Any, ...]], written_at: datetime) -> dict[str, Any]:
        cur = self.conn.cursor()
        for stage in (sql.STAGE, sql.MARKER_STAGE):
            cur.execute(sql.drop_stage(stage))
        cur.execute(sql.create_stage(markers, sql.MARKER_STAGE))
        cur.execute(sql.create_stage(table))
        try:
            cur.executemany(sql.fill_stage(markers, sql.MARKER_STAGE), marker_rows)
            cur.execute(sql.apply_stage(markers, "upsert", sql.MARKER_STAGE))
            cur.execute(sql.keep_current_markers(markers))
            cur.executemany(sql.fill_stage(table), prepared.rows)
            conflicts = []
            if prepared.conflict_limit:
                conflicts = self._conflicts(table, cur.execute(
                    sql.sample_stale_snapshots(table, markers), (prepared.conflict_limit,)).fetchall())
            stale = cur.execute(sql.drop_stale_rows(table)).rowcount
            deleted = cur.execute(sql.delete_replaced(table)).rowcount
            counts = self._apply_stage(cur, table, "replace", written_at)
        finally:
            for stage in (sql.STAGE, sql.MARKER_STAGE):
                cur.execute(sql.drop_stage(stage))
        counts["stale"] = stale
        counts["deleted"] = deleted
        counts["conflicts"] = conflicts
        return counts

    # -- reads -----------------------------------------------------------------------
    def _decoder(self, table: Table, columns: list[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
        readers = [_reader(table.columns[c].type) for c in columns]

        def decode(record: Sequence[Any]) -> dict[str, Any]:
            return {
                n: (r(v) if r is not None and v is not None else v)
                for n, r, v in zip(columns, readers, record, strict=True)
            }

        return decode

    def _stream(self, table: Table, sel: reads.Select, batch_size: int) -> Iterator[Sequence[Any]]:
        """Cursor iteration.  Outside a transaction it runs on a second, read-only
        connection (WAL lets it read one snapshot while this one writes and commits), so
        that a rollback of the loop's own writes cannot abort it; inside one, on this
        connection, which sees the transaction's writes."""
        conn = self.conn if self.in_transaction else self._reader()
        cur = conn.execute(sql.select(table, sel), self._bind(table, sel))
        try:
            while True:
                batch = cur.fetchmany(batch_size)
                if not batch:
                    return
                yield from batch
        finally:
            cur.close()

    def _reader(self) -> sqlite3.Connection:
        if self._read_conn is None:
            if self.url.sqlite_path == ":memory:" or not self._wal:
                return self.conn  # a second connection would not see the same database
            conn = sqlite3.connect(self.url.sqlite_path, timeout=60.0, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            self._read_conn = conn
        return self._read_conn
