"""The PostgreSQL store: COPY into a temporary table, then one set-based upsert.

A large batch is cut into key-ordered chunks (:mod:`fieldhouse.stores.pipeline`): a worker
thread stages and applies chunk *i* while this thread prepares chunk *i + 1*, all in the
batch's one transaction."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from ..errors import StoreConnectionError, StoreError
from ..table import Table
from ..urls import DatabaseURL
from . import partitions, pipeline, reads
from . import postgresql_partitions_sql as psql_partitions
from . import postgresql_sql as sql
from .base import BaseStore, log
from .capabilities import FULL
from .prepare import Prepared
from .result import CONFLICT_LIMIT, UpsertResult

ADAPT = {"json": Jsonb}
_stage_names = itertools.count(1)
_cursor_names = itertools.count(1)


class PostgresStore(BaseStore):
    """One psycopg 3 connection.  Batches that meet a deadlock or a serialization failure
    with a concurrent writer are retried whole (they were rolled back, so this is safe)."""

    dialect = "postgresql"
    capabilities = replace(FULL, partitions=True)
    adapt = ADAPT
    sql = sql
    max_attempts = 5

    def __init__(self, url: DatabaseURL, *, connect_timeout: int = 10) -> None:
        super().__init__(url)
        self._partitions: dict[str, set[str]] = {}  # partitions known to exist (committed)
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

    def _lock_ddl(self) -> None:
        """DDL is serialised across connections by a transaction-scoped advisory lock."""
        self.conn.execute(sql.DDL_LOCK, (sql.DDL_LOCK_KEY,))

    def _create_or_evolve(self, table: Table) -> bool:
        if table.schema:
            self.conn.execute(sql.create_schema(table))
        if not table.partition_by and not self.table_exists(table):
            return super()._create_or_evolve(table)
        return self._partitioned_table(table)  # partition_by, or a table that exists

    # -- partitions (docs/scale.md; the SQL in postgresql_partitions_sql.py) --------------
    def _partitioned_table(self, table: Table) -> bool:
        partitions.check(table)
        if self.table_exists(table):
            found = self.conn.execute(psql_partitions.DESCRIBE_PARTITIONING, (sql.regclass_name(table),)).fetchone()
            partitions.refuse_change(table, found[0] if found else None)
            return super()._create_or_evolve(table)
        self.conn.execute(psql_partitions.create_partitioned(table))
        return True

    def _ensure_partitions(self, table: Table, rows: list) -> None:
        """Create the partitions ``rows`` fall in (advisory lock + IF NOT EXISTS)."""
        known = self._partitions.setdefault(table.name, set())
        committed = not self.in_transaction  # else an enclosing rollback may undo them
        wanted = {n: ddl for n, ddl in partitions.needed(table, rows).items() if n not in known}
        if not wanted:
            return
        with self.transaction():
            have = {r[0] for r in self.conn.execute(psql_partitions.LIST_PARTITIONS, (sql.regclass_name(table),))}
            for name, ddl in sorted(wanted.items()):
                if name not in have:
                    self.conn.execute(psql_partitions.PARTITION_LOCK, (psql_partitions.PARTITION_LOCK_CLASS, name))
                    self.conn.execute(ddl)
        if committed:
            known.update(wanted)

    def _describe(self, table: Table) -> tuple[dict[str, str], list[str]] | None:
        name = sql.regclass_name(table)
        info = self.conn.execute(sql.DESCRIBE_COLUMNS, (name,)).fetchall()
        if not info:
            return None
        return {row[0]: row[1] for row in info}, [row[0] for row in self.conn.execute(sql.DESCRIBE_KEY, (name,))]

    def _rerank_begin(self, table: Table) -> None:
        # No concurrent writer may change a row between our read of it and our update.
        self.conn.execute(sql.lock_for_rerank(table))
        self.conn.execute(sql.drop_stage(sql.RERANK))
        self.conn.execute(sql.create_rerank(table))

    def _rerank_add(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        cur = self.conn.cursor()
        with cur.copy(sql.copy_rerank(table)) as copy:
            copy.set_types(sql.rerank_types(table))
            for row in rows:
                copy.write_row(row)

    def _rerank_finish(self, table: Table) -> int:
        changed = self.conn.execute(sql.apply_rerank(table)).rowcount
        self.conn.execute(sql.drop_stage(sql.RERANK))
        return changed

    # -- writes ----------------------------------------------------------------------
    #: Batches of more rows than this are written by the pipeline, in chunks of about
    #: ``pipeline_chunk`` rows; smaller ones in one statement.
    pipeline_threshold = 50_000
    pipeline_chunk = 100_000

    def _write(self, table: Table, rows: Iterable[Mapping[str, Any]], mode: str,
                snapshots: Iterable[tuple[Any, Any]] | None = None,
                conflict_limit: int = CONFLICT_LIMIT) -> UpsertResult:
        if table.partition_by:
            rows = rows if isinstance(rows, list | tuple) else list(rows)
            self._require_table(table)
            self._ensure_partitions(table, rows)
        if table.parent_key:  # snapshot batches are written in one statement, whatever their size
            return super()._write(table, rows, mode, snapshots, conflict_limit)
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
                return self._write_pipelined(table, plan, mode, conflict_limit)
        return super()._write(table, rows, mode, conflict_limit=conflict_limit)

    def _write_pipelined(self, table: Table, plan: pipeline.Plan, mode: str,
                         conflict_limit: int = CONFLICT_LIMIT) -> UpsertResult:
        """The same rows, counts and rejects as the whole batch in one statement."""
        irregular = self._prepare(table, plan.irregular, conflict_limit=conflict_limit) if plan.irregular else None
        if irregular is not None and irregular.rows:  # cannot happen: a row without a key
            return super()._write(table, plan.rows, mode, conflict_limit=conflict_limit)
        chunks: list[Prepared | None] = [None] * len(plan.chunks)
        failed: list[BaseException] = []

        def prepared(i: int) -> Prepared:
            chunk = chunks[i]
            if chunk is None:  # prepared once, even when a deadlock makes the batch run again
                try:
                    chunk = chunks[i] = self._prepare(table, plan.chunks[i], unique=plan.unique[i],
                                                      conflict_limit=conflict_limit)
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
                return self._apply_stage(table, self._stage(table, p.rows), len(p.rows), mode, written_at,
                                         ranged=True, conflict_limit=conflict_limit)

            return pipeline.run(len(chunks), prepared, write, self.pipeline_stats)

        try:
            counts = self._retried(table, apply)
        except StoreError:
            if failed:  # prepare raised: let it through as it would for the whole batch
                raise failed[0] from None
            raise
        result = plan.result(table, [c for c in chunks if c is not None], irregular, conflict_limit)
        log.debug("pipelined upsert into %s: %s", table,
                  ", ".join(f"{k} {v:.2f}" if isinstance(v, float) else f"{k} {v}" for k, v in self.pipeline_stats.items()))
        return self._finish(table, result, counts)

    def _apply(self, table: Table, prepared: Prepared, mode: str, written_at: datetime) -> dict[str, int]:
        if not prepared.rows:
            return {}
        stage = self._stage(table, prepared.rows)
        return self._apply_stage(table, stage, len(prepared.rows), mode, written_at,
                                 conflict_limit=prepared.conflict_limit)

    def _apply_snapshots(self, table: Table, prepared: Prepared, markers: Table,
                         marker_rows: list[tuple[Any, ...]], written_at: datetime) -> dict[str, Any]:
        """The markers are upserted first, in parent order; then every marker row of the
        batch is locked (FOR UPDATE, in the same order) before the markers are compared,
        so a concurrent writer of the same parent waits for this commit, and the rows and
        deletes of a parent are decided against a marker nobody else can change.  The rows
        of the applied parents are then written wherever they differ (mode ``replace``)."""
        cur = self.conn.cursor()
        mstage = self._stage(markers, marker_rows)
        cur.execute(sql.apply_stage(markers, mstage, "upsert"))
        cur.execute(sql.lock_markers(markers, mstage))
        cur.execute(sql.keep_current_markers(markers, mstage))
        stage = self._stage(table, prepared.rows)
        conflicts = []
        if prepared.conflict_limit:
            conflicts = self._conflicts(table, cur.execute(
                sql.sample_stale_snapshots(table, markers, stage, mstage), (prepared.conflict_limit,)).fetchall())
        stale = cur.execute(sql.drop_stale_rows(table, stage, mstage)).rowcount
        deleted = cur.execute(sql.delete_replaced(table, stage, mstage)).rowcount
        cur.execute(sql.drop_stage(mstage))
        total = len(prepared.rows) - stale
        counts = self._apply_stage(table, stage, total, "replace", written_at) if total else {}
        if not total:
            cur.execute(sql.drop_stage(stage))
        counts["stale"] = counts.get("stale", 0) + stale
        counts["deleted"] = deleted
        counts["conflicts"] = conflicts
        return counts

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

    def _stage(self, table: Table, rows: list[tuple[Any, ...]]) -> str:
        """COPY prepared rows into a new temporary table; its name."""
        stage = f"_fh_stage_{next(_stage_names)}"
        cur = self.conn.cursor()
        cur.execute(sql.create_stage(table, stage))
        with cur.copy(sql.copy_stage(table, stage)) as copy:
            copy.set_types(sql.copy_types(table))
            write_row = copy.write_row
            for row in rows:
                write_row(row)
        return stage

    def _apply_stage(
        self, table: Table, stage: str, total: int, mode: str, written_at: datetime, ranged: bool = False,
        conflict_limit: int = 0,
    ) -> dict[str, Any]:
        """Apply the ``total`` rows of ``stage`` and drop it.  ``ranged``: the stage holds one
        chunk of a batch, so joins read only the table's rows in the chunk's key range."""
        cur = self.conn.cursor()
        params = (written_at,) if table.written_at else ()
        if mode == "insert_new":
            inserted, _ = self._apply_sql(cur, table, stage, mode, params)
            cur.execute(sql.drop_stage(stage))
            return {"inserted": inserted, "unchanged": total - inserted}
        if mode == "replace" and not table.partition_by:
            return self._apply_replace(cur, table, stage, total, params)
        if table.partition_by:
            # no xmax from a partitioned table: the statements of postgresql_partitions_sql,
            # which write every staged row the rule lets through
            refreshed = cur.execute(sql.count_refreshed(table, stage, ranged)).fetchone()[0]
            inserted, updated = self._apply_sql(cur, table, stage, mode, params)
            settled = inserted + updated == total or mode == "replace"
            settled_equal = total
        else:
            bounds: tuple[Any, ...] = ()
            if ranged:
                bounds = cur.execute(sql.stage_bounds(table, stage)).fetchone()
            new, newer, same, older, refreshed = cur.execute(sql.classify(table, stage, ranged), bounds).fetchone()
            inserted = updated = 0
            if new == total:  # nothing of the stage is stored: no join needed to pick the rows
                inserted, updated = self._apply_sql(cur, table, stage, mode, params)
            elif new or newer:
                inserted, updated = cur.execute(
                    sql.write_new_or_newer(table, stage, ranged), (*params, *bounds)).fetchone()
            # every row classified new or newer was written; the others were identical or
            # older when classified, and stored rows only get newer, so they still are not
            # written: counted as classified
            settled = inserted + updated == new + newer
            settled_equal = inserted + updated + same
        if settled:
            equal = settled_equal
        else:
            # a concurrent writer got to some keys between classify and write: count what
            # the table holds now (rows we wrote are locked by us until commit)
            equal = cur.execute(sql.count_equal(table, stage, ranged)).fetchone()[0]
        conflicts = []
        if equal < total and conflict_limit:
            conflicts = self._conflicts(table, cur.execute(
                sql.sample_stale(table, stage, ranged), (conflict_limit,)).fetchall())
        cur.execute(sql.drop_stage(stage))
        return {
            "conflicts": conflicts,
            "inserted": inserted,
            "updated": updated,
            "unchanged": equal - inserted - updated,
            "stale": total - equal,
            "refreshed": min(refreshed, updated),
        }

    def _apply_replace(self, cur: Any, table: Table, stage: str, total: int, params: tuple[Any, ...]) -> dict[str, Any]:
        """The rows of applied snapshots: written wherever they differ; the parents'
        markers are locked by us, so every staged row is then held exactly."""
        refreshed = cur.execute(sql.count_refreshed(table, stage)).fetchone()[0]
        inserted, updated = cur.execute(sql.apply_stage(table, stage, "replace"), params).fetchone()
        cur.execute(sql.drop_stage(stage))
        return {"inserted": inserted, "updated": updated, "unchanged": total - inserted - updated,
                "stale": 0, "refreshed": min(refreshed, updated)}

    def _apply_sql(self, cur: Any, table: Table, stage: str, mode: str, params: tuple) -> tuple[int, int]:
        """(inserted, updated) of the statement(s) applying ``stage``: one statement, or
        for a partitioned table the statements of postgresql_partitions_sql.apply_stage."""
        if not table.partition_by:
            inserted, updated = cur.execute(sql.apply_stage(table, stage, mode), params).fetchone()
            return inserted, updated
        counts = [cur.execute(q, params if "%s" in q else ()).fetchone()[0]
                  for q in psql_partitions.apply_stage(table, stage, mode)]
        return counts[0], (counts[2] if len(counts) > 2 else 0)

    # -- reads -----------------------------------------------------------------------
    def _decoder(self, table: Table, columns: list[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
        def decode(record: Sequence[Any]) -> dict[str, Any]:
            return dict(zip(columns, record, strict=True))

        return decode

    def _stream(self, table: Table, sel: reads.Select, batch_size: int) -> Iterator[Sequence[Any]]:
        """A named (server-side) cursor fetching ``batch_size`` rows at a time.  Outside a
        transaction it is declared WITH HOLD: the server keeps its result, and the loop
        may commit or roll back transactions of its own on this connection meanwhile."""
        name = f"_fh_cursor_{next(_cursor_names)}"
        with self.conn.cursor(name=name, withhold=not self.in_transaction) as cur:
            cur.itersize = batch_size
            cur.execute(sql.select(table, sel), self._bind(table, sel))
            while True:
                batch = cur.fetchmany(batch_size)
                if not batch:
                    return
                yield from batch
