"""The store protocol, and the parts every backend shares.

A store owns one database connection.  ``upsert`` applies a batch with defensive-upsert
semantics (see :mod:`fieldhouse.stores.prepare` for the order that decides a winner);
``transaction`` groups several writes into one atomic unit.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from ..errors import LockBusyError, SchemaError, StoreError
from ..table import Table
from ..urls import DatabaseURL
from .capabilities import Capabilities
from .catalog import CatalogEntry
from .prepare import Prepared, adapt_rows, prepare
from .reads import Reads
from .result import CONFLICT_LIMIT, Conflict, UpsertResult
from .schema import ManagedTables
from .snapshots import marker_table
from .snapshots import plan as snapshot_plan

log = logging.getLogger("fieldhouse.stores")


@runtime_checkable
class Store(Protocol):
    """What every backend offers.  Obtain one with :func:`fieldhouse.connect`."""

    url: DatabaseURL
    dialect: str
    capabilities: Capabilities

    def ensure_table(self, table: Table) -> None: ...
    def upsert(self, table: Table, rows: Iterable[Mapping[str, Any]], *,
               snapshots: Iterable[tuple[Any, Any]] | None = None,
               conflict_limit: int = CONFLICT_LIMIT) -> UpsertResult: ...
    def insert_new(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> UpsertResult: ...
    def rows(self, table: Table, where: Mapping[str, Any] | None = None, columns: Sequence[str] | None = None,
             order_by: str | Sequence[str] | None = None, limit: int | None = None) -> list[dict[str, Any]]: ...
    def iter_rows(self, table: Table, where: Mapping[str, Any] | None = None, columns: Sequence[str] | None = None,
                  order_by: str | Sequence[str] | None = None, limit: int | None = None,
                  batch_size: int = 1000) -> Iterator[dict[str, Any]]: ...
    def count(self, table: Table, where: Mapping[str, Any] | None = None) -> int: ...
    def max_value(self, table: Table, column: str, where: Mapping[str, Any] | None = None) -> Any: ...
    def table_exists(self, table: Table) -> bool: ...
    def tables(self) -> list[CatalogEntry]: ...
    def transaction(self) -> Any: ...
    def lock(self, name: str, wait: float = 0.0) -> Any: ...
    def close(self) -> None: ...


class BaseStore(ManagedTables, Reads, ABC):
    """Shared behaviour: transactions that nest, error wrapping, result bookkeeping, reads."""

    dialect: str = ""
    capabilities: Capabilities = Capabilities()

    conn: Any  # the backend's database connection

    def __init__(self, url: DatabaseURL) -> None:
        self.url = url
        self._depth = 0
        self._ensured: set[str] = set()

    # -- context management ----------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.url.redacted}>"

    # -- transactions ----------------------------------------------------------------
    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Everything inside commits together or not at all; nested calls join the outer one."""
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._begin()
        self._depth = 1
        try:
            yield
        except BaseException:
            self._depth = 0
            self._safe_rollback()
            raise
        self._depth = 0
        try:
            self._commit()
        except Exception as exc:
            self._safe_rollback()
            raise self._wrap(exc, "commit") from None

    # -- named locks -------------------------------------------------------------------
    lock_poll = 0.1

    @contextmanager
    def lock(self, name: str, wait: float = 0.0) -> Iterator[None]:
        """Hold the named lock for the block, across processes and machines sharing the
        database; waits up to ``wait`` seconds, then raises LockBusyError.  The lock goes
        away with the process (or its connection), so a killed holder never blocks anyone."""
        deadline = time.monotonic() + max(0.0, wait)
        while not self._try_lock(name):
            if time.monotonic() >= deadline:
                raise LockBusyError(f"the lock {name!r} is held by another process")
            time.sleep(min(self.lock_poll, max(0.0, deadline - time.monotonic())) or self.lock_poll)
        try:
            yield
        finally:
            self._unlock(name)

    def _try_lock(self, name: str) -> bool:
        raise NotImplementedError

    def _unlock(self, name: str) -> None:
        raise NotImplementedError

    def _safe_rollback(self) -> None:
        # A rollback may undo a CREATE TABLE (DDL is transactional in both backends): forget
        # what was ensured so the next write checks again.
        self._ensured.clear()
        try:
            self._rollback()
        except Exception:  # the connection may be gone; the database rolls back for us
            log.debug("rollback failed", exc_info=False)

    def _wrap(self, exc: BaseException, what: str) -> StoreError:
        if isinstance(exc, StoreError):
            return exc
        text = self.url.scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        return StoreError(f"{what} failed, nothing of it was written: {text}")

    # -- writes ----------------------------------------------------------------------
    def upsert(
        self,
        table: Table,
        rows: Iterable[Mapping[str, Any]],
        *,
        snapshots: Iterable[tuple[Any, Any]] | None = None,
        conflict_limit: int = CONFLICT_LIMIT,
    ) -> UpsertResult:
        """Apply ``rows`` to ``table``: newer versions win, identical rows are left alone.

        For a table with a parent_key the batch is a set of snapshots: ``snapshots`` names
        each parent (a tuple of its parent-key values) whose complete rows the batch holds,
        with its snapshot version, including parents with no rows; by default the parents
        of the rows, each at the greatest version among its rows.  A parent's stored rows
        that a snapshot at least as new no longer holds are deleted (``result.deleted``); an
        older snapshot changes nothing (its rows count as stale).  See docs/upsert.md.

        ``result.conflicts`` samples at most ``conflict_limit`` of the stale rows (0: none);
        ``result.conflicts_omitted`` counts the others."""
        if type(conflict_limit) is not int or conflict_limit < 0:
            raise SchemaError(f"conflict_limit must be a whole number >= 0, not {conflict_limit!r}")
        if snapshots is not None and not table.parent_key:
            raise SchemaError(
                f"table {table.name} has no parent_key, so it takes no snapshots=: declare "
                "Table(..., parent_key=(...)) for tables whose rows arrive as whole snapshots of a parent"
            )
        return self._write(table, rows, mode="upsert", snapshots=snapshots, conflict_limit=conflict_limit)

    def insert_new(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> UpsertResult:
        """Insert the rows whose key is not in the table; existing keys are left as they are
        and counted as ``unchanged`` (append-only tables such as the raw landing zone)."""
        if table.parent_key:
            raise SchemaError(f"table {table.name} has a parent_key: write its snapshots with upsert, not insert_new")
        return self._write(table, rows, mode="insert_new")

    def delete_rows(self, table: Table, where: Mapping[str, Any]) -> int:
        """Delete the rows of ``table`` that meet ``where`` (required: never the whole
        table), in a transaction of their own or the open one; how many went.  For
        housekeeping (the raw zone's retention), not for data: data rows leave by snapshot."""
        from .reads import build

        if not where:
            raise SchemaError(f"delete_rows from {table.name}: give a where= (a whole table is never deleted)")
        sel = build(table, where)
        self._require_table(table)
        try:
            with self.transaction():
                cursor = self.conn.execute(self.sql.delete_rows(table, sel.conditions), self._bind(table, sel))
                return int(cursor.rowcount or 0)
        except Exception as exc:
            raise self._wrap(exc, f"deleting rows of {table}") from None

    adapt: Mapping[str, Callable[[Any], Any]] = {}  # cast value -> what the driver binds, per type

    def _prepare(self, table: Table, rows: Iterable[Mapping[str, Any]], unique: bool = False,
                 conflict_limit: int = CONFLICT_LIMIT) -> Prepared:
        return prepare(table, rows, self.adapt, unique=unique, conflict_limit=conflict_limit)

    def _write(self, table: Table, rows: Iterable[Mapping[str, Any]], mode: str,
               snapshots: Iterable[tuple[Any, Any]] | None = None,
               conflict_limit: int = CONFLICT_LIMIT) -> UpsertResult:
        self._require_table(table)
        if table.parent_key:
            return self._write_snapshots(table, rows, snapshots, conflict_limit)
        prepared = self._prepare(table, rows, conflict_limit=conflict_limit)
        result = prepared.result()
        counts = self._retried(table, lambda written_at: self._apply(table, prepared, mode, written_at))
        return self._finish(table, result, counts)

    def _write_snapshots(self, table: Table, rows: Iterable[Mapping[str, Any]],
                         snapshots: Iterable[tuple[Any, Any]] | None,
                         conflict_limit: int = CONFLICT_LIMIT) -> UpsertResult:
        # cast values: the plan compares versions in Python
        prepared = prepare(table, rows, conflict_limit=conflict_limit)
        markers = marker_table(table)
        marker_rows = adapt_rows(markers, snapshot_plan(table, prepared, snapshots), self.adapt)
        prepared.rows = adapt_rows(table, prepared.rows, self.adapt)
        result = prepared.result()
        counts = self._retried(
            table, lambda written_at: self._apply_snapshots(table, prepared, markers, marker_rows, written_at))
        return self._finish(table, result, counts)

    def _retried(self, table: Table, apply: Callable[[datetime], dict[str, int]]) -> dict[str, int]:
        """``apply(written_at)`` in a transaction of its own (or the open one); a batch that
        meets a retryable error was rolled back whole and runs again."""
        written_at = datetime.now(UTC)
        attempts = 1 if self.in_transaction else self.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                with self.transaction():
                    counts = apply(written_at)
                break
            except Exception as exc:
                if attempt < attempts and self._retryable(exc):
                    log.info("upsert into %s hit %s; retrying (attempt %d)", table, type(exc).__name__, attempt + 1)
                    continue
                raise self._wrap(exc, f"upsert into {table}") from None
        return counts

    def _finish(self, table: Table, result: UpsertResult, counts: dict[str, Any]) -> UpsertResult:
        """Add the store's counts to what prepare found; ``counts["conflicts"]``, if there,
        is the store's sample of its stale rows (a list of Conflict)."""
        for name, n in counts.items():
            if name != "conflicts":
                setattr(result, name, getattr(result, name) + n)
        result.add_conflicts(counts.get("conflicts", []))
        result.conflicts_omitted = result.stale - len(result.conflicts)
        log.debug("upsert into %s: %r", table, result)
        return result

    def _conflicts(self, table: Table, records: Iterable[Sequence[Any]]) -> list[Conflict]:
        """Conflicts from sampled records: the key values, the incoming version, the
        stored version (as the database returns them; decoded as reads decode them)."""
        names = [*table.primary_key, table.version]
        decode = self._decoder(table, names)
        n = len(table.primary_key)
        out = []
        for record in records:
            incoming = decode(record[:n + 1])
            stored = decode([*record[:n], record[n + 1]])
            out.append(Conflict({k: incoming[k] for k in table.primary_key},
                                incoming[table.version], stored[table.version]))
        return out

    def _require_table(self, table: Table) -> None:
        if table.name not in self._ensured:
            self.ensure_table(table)

    max_attempts = 1

    def _retryable(self, exc: BaseException) -> bool:
        return False

    # -- backend hooks ---------------------------------------------------------------
    @abstractmethod
    def _apply(self, table: Table, prepared: Prepared, mode: str, written_at: datetime) -> dict[str, int]:
        """Write ``prepared`` inside the open transaction; return inserted/updated/unchanged/stale."""

    @abstractmethod
    def _apply_snapshots(self, table: Table, prepared: Prepared, markers: Table,
                         marker_rows: list[tuple[Any, ...]], written_at: datetime) -> dict[str, int]:
        """Inside the open transaction: upsert ``marker_rows`` into ``markers``; for each
        parent whose marker the table now holds exactly, upsert its rows of ``prepared``
        and delete its other stored rows; the rows of the other parents are stale."""

    @abstractmethod
    def _begin(self) -> None: ...

    @abstractmethod
    def _commit(self) -> None: ...

    @abstractmethod
    def _rollback(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...
