"""The PostgreSQL store: COPY into a temporary table, then one set-based upsert.

A large batch is cut into key-ordered chunks (:mod:`fieldhouse.stores.pipeline`): a worker
thread stages and applies chunk *i* while this thread prepares chunk *i + 1*, all in the
batch's one transaction."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from ..errors import StoreConnectionError, StoreError
from ..table import Table
from ..urls import DatabaseURL
from . import pipeline
from . import postgresql_sql as sql
from .base import BaseStore, log
from .evolve import columns_to_add
from .prepare import Prepared, prepare
from .result import UpsertResult

ADAPT = {"json": Jsonb}
_stage_names = itertools.count(1)


class PostgresStore(BaseStore):
    """One psycopg 3 connection.  Batches that meet a deadlock or a serialization failure
    with a concurrent writer are retried whole (they were rolled back, so this is safe)."""

    dialect = "postgresql"
    max_attempts = 5

    def __init__(self, url: DatabaseURL, *, connect_timeout: int = 10) -> None:
        super().__init__(url)
        try:
            self.conn = psycopg.connect(
                url.postgres_conninfo(), autocommit=True, connect_timeout=connect_timeout,
                application_name="fieldhouse",
            )
            self.conn.execute("SET TIME ZONE 'UTC'")
        except psycopg.Error as exc:
            raise StoreConnectionError(
                f"cannot connect to PostgreSQL at {url.redacted}: {url.scrub(str(exc).strip())}"
            ) from None

    # -- transactions ----------------------------------------------------------------
    def _begin(self) -> None:
        self.conn.execute("BEGIN")

    def _commit(self) -> None:
        self.conn.execute("COMMIT")

    def _rollback(self) -> None:
        if not self.conn.closed:
            self.conn.execute("ROLLBACK")

    def close(self) -> None:
        self.conn.close()

    def _try_lock(self, name: str) -> bool:
        return bool(self.conn.execute(sql.TRY_NAMED_LOCK, (sql.NAMED_LOCK_CLASS, name)).fetchone()[0])

    def _unlock(self, name: str) -> None:
        if not self.conn.closed:
            try:
                self.conn.execute(sql.NAMED_UNLOCK, (sql.NAMED_LOCK_CLASS, name))
            except psycopg.Error:  # the connection is gone, and the lock with it
                pass

    def _retryable(self, exc: BaseException) -> bool:
        return isinstance(exc, pg_errors.DeadlockDetected | pg_errors.SerializationFailure)

    # -- schema ----------------------------------------------------------------------
    def table_exists(self, table: Table) -> bool:
        row = self.conn.execute("SELECT to_regclass(%s) IS NOT NULL", (sql.regclass_name(table),)).fetchone()
        return bool(row and row[0])

    def ensure_table(self, table: Table) -> None:
        """Create the schema and table, or add newly declared columns; refuse incompatible
        changes.  DDL is serialised across connections by an advisory lock."""
        with self.transaction():
            self.conn.execute(sql.DDL_LOCK, (sql.DDL_LOCK_KEY,))
            name = sql.regclass_name(table)
            if table.schema:
                self.conn.execute(sql.create_schema(table))
            info = self.conn.execute(sql.DESCRIBE_COLUMNS, (name,)).fetchall()
            if not info:
                self.conn.execute(sql.create_table(table))
            else:
                existing = {row[0]: row[1] for row in info}
                key = [row[0] for row in self.conn.execute(sql.DESCRIBE_KEY, (name,))]
                for column in columns_to_add(table, existing, key, sql.type_sql):
                    self.conn.execute(sql.add_column(table, column))
        self._ensured.add(table.name)

    # -- writes ----------------------------------------------------------------------
    #: Batches of more rows than this are written by the pipeline, in chunks of about
    #: ``pipeline_chunk`` rows; smaller ones in one statement.
    pipeline_threshold = 50_000
    pipeline_chunk = 100_000

    def _write(self, table: Table, rows: Iterable[Mapping[str, Any]], mode: str) -> UpsertResult:
        if not isinstance(rows, list | tuple):
            rows = list(rows)
        if len(rows) > self.pipeline_threshold:
            self._require_table(table)
            t0 = time.perf_counter()
            plan = pipeline.split(table, rows, self.pipeline_chunk)
            if plan is not None and len(plan.chunks) > 1:
                #: where the time of the last pipelined batch went (for benchmarks and logs)
                self.pipeline_stats: dict[str, float] = {
                    "chunks": len(plan.chunks), "split": time.perf_counter() - t0}
                return self._write_pipelined(table, plan, mode)
        return super()._write(table, rows, mode)

    def _write_pipelined(self, table: Table, plan: pipeline.Plan, mode: str) -> UpsertResult:
        """The same rows, counts and rejects as the whole batch in one statement."""
        irregular = self._prepare(table, plan.irregular) if plan.irregular else None
        if irregular is not None and irregular.rows:  # cannot happen: a row without a key
            return super()._write(table, plan.rows, mode)
        chunks: list[Prepared | None] = [None] * len(plan.chunks)
        failed: list[BaseException] = []

        def prepared(i: int) -> Prepared:
            chunk = chunks[i]
            if chunk is None:  # prepared once, even when a deadlock makes the batch run again
                try:
                    chunk = chunks[i] = self._prepare(table, plan.chunks[i], unique=plan.unique[i])
                except Exception as exc:
                    failed.append(exc)
                    raise
            return chunk

        def apply(written_at: datetime) -> dict[str, int]:
            def write(p: Prepared) -> dict[str, int]:
                if not p.rows:
                    return {}
                inserted = self._insert_new_keys(table, p, written_at)
                if inserted is not None:
                    return {"inserted": inserted} if mode == "upsert" else {"inserted": inserted, "unchanged": 0}
                return self._apply_stage(table, self._stage(table, p), len(p.rows), mode, written_at, ranged=True)

            return pipeline.run(len(chunks), prepared, write, self.pipeline_stats)

        try:
            counts = self._retried(table, apply)
        except StoreError:
            if failed:  # prepare raised: let it through as it would for the whole batch
                raise failed[0] from None
            raise
        result = plan.result(table, [c for c in chunks if c is not None], irregular)
        log.debug("pipelined upsert into %s: %s", table,
                  ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in self.pipeline_stats.items()))
        return self._finish(table, result, counts)

    def _prepare(self, table: Table, rows: Iterable[Mapping[str, Any]], unique: bool = False) -> Prepared:
        return prepare(table, rows, ADAPT, unique=unique)

    def _apply(self, table: Table, prepared: Prepared, mode: str, written_at: datetime) -> dict[str, int]:
        if not prepared.rows:
            return {}
        stage = self._stage(table, prepared)
        return self._apply_stage(table, stage, len(prepared.rows), mode, written_at)

    def _insert_new_keys(self, table: Table, prepared: Prepared, written_at: datetime) -> int | None:
        """For a key-ordered chunk whose key range holds no row yet (a first load): COPY it
        straight into the table, which is what the upsert would do, at the cost of a COPY.
        Should a key exist after all (a concurrent writer got there first), the COPY
        raises unique_violation and is undone to its savepoint; then None, and the chunk
        takes the set-based path.  The number of rows inserted otherwise."""
        rows = prepared.rows
        key_idx = [table.content_columns.index(k) for k in table.primary_key]
        bounds = [rows[0][i] for i in key_idx] + [rows[-1][i] for i in key_idx]
        cur = self.conn.cursor()
        if cur.execute(sql.range_has_rows(table), bounds).fetchone()[0]:
            return None
        cur.execute(sql.SAVEPOINT)
        try:
            with cur.copy(sql.copy_target(table)) as copy:
                copy.set_types(sql.copy_target_types(table))
                write_row = copy.write_row
                if table.written_at:
                    extra = (written_at,)
                    for row in rows:
                        write_row(row + extra)
                else:
                    for row in rows:
                        write_row(row)
        except pg_errors.UniqueViolation:
            cur.execute(sql.ROLLBACK_TO_SAVEPOINT)
            cur.execute(sql.RELEASE_SAVEPOINT)
            return None
        if cur.rowcount != len(rows):  # a trigger skipped rows: let the set-based path count
            cur.execute(sql.ROLLBACK_TO_SAVEPOINT)
            cur.execute(sql.RELEASE_SAVEPOINT)
            return None
        cur.execute(sql.RELEASE_SAVEPOINT)
        return len(rows)

    def _stage(self, table: Table, prepared: Prepared) -> str:
        """COPY the prepared rows into a new temporary table; its name."""
        stage = f"_fh_stage_{next(_stage_names)}"
        cur = self.conn.cursor()
        cur.execute(sql.create_stage(table, stage))
        with cur.copy(sql.copy_stage(table, stage)) as copy:
            copy.set_types(sql.copy_types(table))
            write_row = copy.write_row
            for row in prepared.rows:
                write_row(row)
        return stage

    def _apply_stage(
        self, table: Table, stage: str, total: int, mode: str, written_at: datetime, ranged: bool = False
    ) -> dict[str, int]:
        """Apply the ``total`` rows of ``stage`` and drop it.  ``ranged``: the stage holds one
        chunk of a batch, so joins read only the table's rows in the chunk's key range."""
        cur = self.conn.cursor()
        params = (written_at,) if table.written_at else ()
        if mode == "insert_new":
            inserted, _ = cur.execute(sql.apply_stage(table, stage, mode), params).fetchone()
            cur.execute(sql.drop_stage(stage))
            return {"inserted": inserted, "unchanged": total - inserted}
        refreshed = cur.execute(sql.count_refreshed(table, stage, ranged)).fetchone()[0]
        inserted, updated = cur.execute(sql.apply_stage(table, stage, mode), params).fetchone()
        if inserted + updated == total:
            equal = total  # every staged row was written, and is locked by us until commit
        else:
            equal = cur.execute(sql.count_equal(table, stage, ranged)).fetchone()[0]
        cur.execute(sql.drop_stage(stage))
        return {
            "inserted": inserted,
            "updated": updated,
            "unchanged": equal - inserted - updated,
            "stale": total - equal,
            "refreshed": min(refreshed, updated),
        }

    # -- reads -----------------------------------------------------------------------
    def rows(self, table: Table, where: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """All rows of ``table`` (optionally those equal to ``where``), in key order, as Python values."""
        where = dict(where or {})
        params = [Jsonb(v) if table.columns[c].type.name == "json" else v for c, v in where.items()]
        cur = self.conn.execute(sql.select_rows(table, list(where)), params)
        names = table.column_names
        return [dict(zip(names, record, strict=True)) for record in cur]

    def count(self, table: Table) -> int:
        return self.conn.execute(sql.count_rows(table)).fetchone()[0]

    def max_value(self, table: Table, column: str) -> Any:
        """The greatest value of ``column`` (None for an empty table), as a Python value."""
        return self.conn.execute(sql.max_value(table, column)).fetchone()[0]
