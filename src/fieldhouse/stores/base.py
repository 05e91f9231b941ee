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
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, runtime_checkable

from ..errors import CastError, LockBusyError, SchemaError, StoreError
from ..table import Table
from ..types import caster
from ..urls import DatabaseURL
from . import catalog, reads
from . import rank as rank_mod
from .capabilities import Capabilities
from .catalog import CATALOG, CatalogEntry
from .evolve import columns_to_add
from .prepare import Prepared, adapt_rows, prepare
from .rank import RANK_VERSION
from .result import UpsertResult
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
               snapshots: Iterable[tuple[Any, Any]] | None = None) -> UpsertResult: ...
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


class BaseStore(ABC):
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

    # -- schema and the catalog --------------------------------------------------------
    def ensure_table(self, table: Table) -> None:
        """Create the table, or add newly declared columns; refuse incompatible changes
        (SchemaError, nothing changed).  The table is recorded in the catalog
        (:meth:`tables`); ranks stored under an older rank version, or under another
        version/written_at column, are recomputed in place, in the same transaction.  A
        table with a parent_key gets its snapshot-marker companion too."""
        with self.transaction():
            self._lock_ddl()
            if table.name != CATALOG.name and CATALOG.name not in self._ensured:
                self._create_or_evolve(CATALOG)
                self._ensured.add(CATALOG.name)
            created = self._create_or_evolve(table)
            if table.name != CATALOG.name:
                self._record(table, created)
            if table.parent_key:
                if tuple(table.primary_key[: len(table.parent_key)]) != tuple(table.parent_key):
                    self._create_index(table, tuple(table.parent_key))
                self.ensure_table(marker_table(table))
        self._ensured.add(table.name)

    def tables(self) -> list[CatalogEntry]:
        """Every table this store's ``ensure_table`` created or changed (however it was
        created: sync, load, replay), by name; the snapshot-marker companions have kind
        ``snapshots``, fieldhouse's own tables ``control``."""
        if not self.table_exists(CATALOG):
            return []
        return [CatalogEntry.from_row(r) for r in self.rows(CATALOG)]

    def _record(self, table: Table, created: bool) -> None:
        """Write the catalog entry of ``table`` if it is new or changed; recompute its
        stored ranks first when they were computed another way."""
        found = self.rows(CATALOG, where={"name": table.name})
        stored = found[0] if found else None
        old = stored["declaration"] if stored else None
        decl = catalog.merged(old, table)
        kind = catalog.kind_of(table)
        rerank = not created and (
            stored is None  # a table of a release before the catalog: rank version 1
            or stored["rank_version"] != RANK_VERSION
            or catalog.rank_shape(old) != catalog.rank_shape(decl)
        )
        if rerank:
            self._recompute_ranks(table, 1 if stored is None else stored["rank_version"])
        if stored is not None and not rerank and old == decl and stored["kind"] == kind:
            return
        now = datetime.now(UTC)
        if stored is not None and stored["updated_at"] is not None and now <= stored["updated_at"]:
            now = stored["updated_at"] + timedelta(microseconds=1)  # the upsert needs a newer version
        self.upsert(CATALOG, [{
            "name": table.name, "kind": kind, "declaration": decl, "rank_version": RANK_VERSION,
            "created_at": stored["created_at"] if stored else now, "updated_at": now,
        }])

    def _recompute_ranks(self, table: Table, was: int) -> None:
        """Recompute the stored rank of every row from its values (batch by batch: memory
        stays flat).  A row whose stored values no longer pass the casts keeps its rank."""
        columns = table.content_columns
        casts = {c: caster(table.columns[c].type) for c in columns}
        key = list(table.primary_key)
        self._rerank_begin(table)
        batch: list[tuple[Any, ...]] = []
        seen = kept = 0
        for row in self.iter_rows(table, columns=columns, batch_size=5000):
            seen += 1
            try:
                values = {c: (None if v is None else casts[c](v)) for c, v in row.items()}
                batch.append((*(values[k] for k in key), rank_mod.rank(table, values)))
            except CastError:
                kept += 1
                continue
            if len(batch) >= 5000:
                self._rerank_add(table, batch)
                batch = []
        if batch:
            self._rerank_add(table, batch)
        changed = self._rerank_finish(table)
        log.info("table %s: ranks recomputed (rank version %d -> %d): %d of %d rows changed%s", table, was,
                 RANK_VERSION, changed, seen, f", {kept} kept (their values fail today's casts)" if kept else "")

    @abstractmethod
    def _lock_ddl(self) -> None:
        """Serialise ensure_table across connections (inside its transaction)."""

    #: The backend's SQL module (``sqlite_sql``, ``postgresql_sql``): the DDL of a table.
    sql: Any = None

    def _create_or_evolve(self, table: Table) -> bool:
        """Create the table (True), or add its newly declared columns (False); SchemaError
        before any change when the database's table cannot take the declaration."""
        found = self._describe(table)
        if found is None:
            self.conn.execute(self.sql.create_table(table))
            return True
        existing, key = found
        for column in columns_to_add(table, existing, key, self.sql.type_sql):
            self.conn.execute(self.sql.add_column(table, column))
        return False

    def _create_index(self, table: Table, columns: tuple[str, ...]) -> None:
        self.conn.execute(self.sql.create_index(table, columns))

    @abstractmethod
    def _describe(self, table: Table) -> tuple[dict[str, str], list[str]] | None:
        """The database's table: {column: declared type} and its primary key; None if absent."""

    @abstractmethod
    def _rerank_begin(self, table: Table) -> None: ...

    @abstractmethod
    def _rerank_add(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        """Stage (key values..., new rank) rows."""

    @abstractmethod
    def _rerank_finish(self, table: Table) -> int:
        """Write the staged ranks into the table; the number of rows whose rank changed."""

    # -- writes ----------------------------------------------------------------------
    def upsert(
        self,
        table: Table,
        rows: Iterable[Mapping[str, Any]],
        *,
        snapshots: Iterable[tuple[Any, Any]] | None = None,
    ) -> UpsertResult:
        """Apply ``rows`` to ``table``: newer versions win, identical rows are left alone.

        For a table with a parent_key the batch is a set of snapshots: ``snapshots`` names
        each parent (a tuple of its parent-key values) whose complete rows the batch holds,
        with its snapshot version, including parents with no rows; by default the parents
        of the rows, each at the greatest version among its rows.  A parent's stored rows
        that a snapshot at least as new no longer holds are deleted (``result.deleted``); an
        older snapshot changes nothing (its rows count as stale).  See docs/upsert.md."""
        if snapshots is not None and not table.parent_key:
            raise SchemaError(
                f"table {table.name} has no parent_key, so it takes no snapshots=: declare "
                "Table(..., parent_key=(...)) for tables whose rows arrive as whole snapshots of a parent"
            )
        return self._write(table, rows, mode="upsert", snapshots=snapshots)

    def insert_new(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> UpsertResult:
        """Insert the rows whose key is not in the table; existing keys are left as they are
        and counted as ``unchanged`` (append-only tables such as the raw landing zone)."""
        if table.parent_key:
            raise SchemaError(f"table {table.name} has a parent_key: write its snapshots with upsert, not insert_new")
        return self._write(table, rows, mode="insert_new")

    adapt: Mapping[str, Callable[[Any], Any]] = {}  # cast value -> what the driver binds, per type

    def _prepare(self, table: Table, rows: Iterable[Mapping[str, Any]], unique: bool = False) -> Prepared:
        return prepare(table, rows, self.adapt, unique=unique)

    def _write(self, table: Table, rows: Iterable[Mapping[str, Any]], mode: str,
               snapshots: Iterable[tuple[Any, Any]] | None = None) -> UpsertResult:
        self._require_table(table)
        if table.parent_key:
            return self._write_snapshots(table, rows, snapshots)
        prepared = self._prepare(table, rows)
        result = prepared.result()
        counts = self._retried(table, lambda written_at: self._apply(table, prepared, mode, written_at))
        return self._finish(table, result, counts)

    def _write_snapshots(self, table: Table, rows: Iterable[Mapping[str, Any]],
                         snapshots: Iterable[tuple[Any, Any]] | None) -> UpsertResult:
        prepared = prepare(table, rows)  # cast values: the plan compares versions in Python
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

    def _finish(self, table: Table, result: UpsertResult, counts: dict[str, int]) -> UpsertResult:
        for name, n in counts.items():
            setattr(result, name, getattr(result, name) + n)
        log.debug("upsert into %s: %r", table, result)
        return result

    def _require_table(self, table: Table) -> None:
        if table.name not in self._ensured:
            self.ensure_table(table)

    max_attempts = 1

    def _retryable(self, exc: BaseException) -> bool:
        return False

    # -- reads (see stores/reads.py for what where/order_by accept) ---------------------
    def rows(
        self,
        table: Table,
        where: Mapping[str, Any] | None = None,
        columns: Sequence[str] | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        """The rows of ``table`` that meet ``where``, as dicts of Python values (only
        ``columns`` if given), in ``order_by`` order (default: the primary key), at most
        ``limit``.  For a large result use :meth:`iter_rows`."""
        sel = reads.build(table, where, columns, order_by, limit)
        decode = self._decoder(table, sel.columns)
        try:
            records = self._fetch(table, sel)
        except Exception as exc:
            raise self._read_error(exc, table) from None
        return [decode(r) for r in records]

    def iter_rows(
        self,
        table: Table,
        where: Mapping[str, Any] | None = None,
        columns: Sequence[str] | None = None,
        order_by: str | Sequence[str] | None = None,
        limit: int | None = None,
        batch_size: int = 1000,
    ) -> Iterator[dict[str, Any]]:
        """Like :meth:`rows`, streamed: at most ``batch_size`` rows are held at a time (a
        server-side cursor on PostgreSQL).  The arguments are checked at once.

        Begun outside a transaction, the iteration reads one consistent snapshot and the
        loop may run transactions of its own (commit or roll back) as it goes; begun inside
        one, it must end before that transaction does."""
        sel = reads.build(table, where, columns, order_by, limit)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise SchemaError(f"batch_size must be a whole number >= 1, not {batch_size!r}")
        return self._iterate(table, sel, batch_size)

    def _iterate(self, table: Table, sel: reads.Select, batch_size: int) -> Iterator[dict[str, Any]]:
        decode = self._decoder(table, sel.columns)
        records = self._stream(table, sel, batch_size)
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except Exception as exc:
                raise self._read_error(exc, table) from None
            yield decode(record)

    def count(self, table: Table, where: Mapping[str, Any] | None = None) -> int:
        """The number of rows of ``table`` that meet ``where``."""
        sel = reads.build(table, where)
        try:
            return int(self._scalar(table, "count", sel))
        except Exception as exc:
            raise self._read_error(exc, table) from None

    def max_value(self, table: Table, column: str, where: Mapping[str, Any] | None = None) -> Any:
        """The greatest value of ``column`` among the rows that meet ``where`` (None when
        there is none), as a Python value."""
        sel = reads.build(table, where, [column])
        try:
            value = self._scalar(table, "max", sel)
        except Exception as exc:
            raise self._read_error(exc, table) from None
        return None if value is None else self._decoder(table, [column])((value,))[column]

    def _read_error(self, exc: BaseException, table: Table) -> StoreError:
        if isinstance(exc, StoreError):
            return exc
        text = self.url.scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
        return StoreError(f"reading table {table} failed: {text}")

    @abstractmethod
    def _decoder(self, table: Table, columns: list[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
        """A function turning one database record of ``columns`` into a dict of Python values."""

    def _bind(self, table: Table, sel: reads.Select) -> list[Any]:
        """The parameters of ``sel``, as the driver binds them."""
        params = []
        for column, value in sel.params():
            adapt = self.adapt.get(table.columns[column].type.name) if column else None
            params.append(adapt(value) if adapt is not None else value)
        if sel.limit is not None:
            params.append(sel.limit)
        return params

    def _fetch(self, table: Table, sel: reads.Select) -> Iterable[Sequence[Any]]:
        return self.conn.execute(self.sql.select(table, sel), self._bind(table, sel)).fetchall()

    @abstractmethod
    def _stream(self, table: Table, sel: reads.Select, batch_size: int) -> Iterator[Sequence[Any]]: ...

    def _scalar(self, table: Table, what: str, sel: reads.Select) -> Any:
        """``count`` (of rows) or ``max`` (of ``sel.columns[0]``) over the rows meeting ``sel``."""
        if what == "count":
            query = self.sql.count_rows(table, sel.conditions)
        else:
            query = self.sql.max_value(table, sel.columns[0], sel.conditions)
        return self.conn.execute(query, self._bind(table, sel)).fetchone()[0]

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
