"""The PostgreSQL store: COPY into a temporary table, then one set-based upsert."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.types.json import Jsonb

from ..errors import StoreConnectionError
from ..table import Table
from ..urls import DatabaseURL
from . import postgresql_sql as sql
from .base import BaseStore
from .evolve import columns_to_add
from .prepare import Prepared, prepare

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
    def _prepare(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> Prepared:
        return prepare(table, rows, ADAPT)

    def _apply(self, table: Table, prepared: Prepared, mode: str, written_at: datetime) -> dict[str, int]:
        if not prepared.rows:
            return {}
        stage = f"_fh_stage_{next(_stage_names)}"
        cur = self.conn.cursor()
        cur.execute(sql.create_stage(table, stage))
        with cur.copy(sql.copy_stage(table, stage)) as copy:
            copy.set_types(sql.copy_types(table))
            write_row = copy.write_row
            for row in prepared.rows:
                write_row(row)
        params = (written_at,) if table.written_at else ()
        total = len(prepared.rows)
        if mode == "insert_new":
            inserted, _ = cur.execute(sql.apply_stage(table, stage, mode), params).fetchone()
            cur.execute(sql.drop_stage(stage))
            return {"inserted": inserted, "unchanged": total - inserted}
        refreshed = cur.execute(sql.count_refreshed(table, stage)).fetchone()[0]
        inserted, updated = cur.execute(sql.apply_stage(table, stage, mode), params).fetchone()
        if inserted + updated == total:
            equal = total  # every staged row was written, and is locked by us until commit
        else:
            equal = cur.execute(sql.count_equal(table, stage)).fetchone()[0]
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
