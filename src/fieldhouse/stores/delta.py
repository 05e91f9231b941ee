"""The Delta Lake store (``delta:///path/to/lake``): each table a Delta table under the lake
folder (``stats.games`` is ``<lake>/stats/games``), written with delta-rs.  See docs/lake.md.

Data only: fieldhouse's control tables live in a control store (:meth:`default_control`).
Each batch is classified against the table version its MERGE reads (docs/lake.md,
"Guarantees"), then written by one MERGE whose update predicate is "(version, rank)
greater"; a batch that changes nothing makes no commit.  A conflicting concurrent commit
(``CommitFailedError``) is retried with backoff, re-reading and re-classifying.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from deltalake import DeltaTable, Field, write_deltalake
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError

from ..errors import ConfigError, SchemaError, StoreError
from ..table import HASH_COLUMN, Table
from ..urls import DatabaseURL
from . import delta_arrow as arrow
from . import delta_sql as sql
from .base import BaseStore
from .capabilities import DELTA
from .catalog import CATALOG
from .delta_classify import classify, parents_of, partitions_of
from .delta_reads import DeltaReads
from .evolve import columns_to_add
from .prepare import Prepared
from .result import Conflict

log = logging.getLogger("fieldhouse.stores")

#: Where the control store goes by default: a SQLite file in the lake folder.
CONTROL_FILE = "fieldhouse-control.db"
STORAGE_ENV = "FIELDHOUSE_DELTA_STORAGE_OPTIONS"


def storage_options_from_env() -> dict[str, str] | None:
    """delta-rs storage options (JSON object) from ``FIELDHOUSE_DELTA_STORAGE_OPTIONS``."""
    text = os.environ.get(STORAGE_ENV)
    if not text:
        return None
    try:
        options = json.loads(text)
    except ValueError:
        raise ConfigError(f"{STORAGE_ENV} is not a JSON object of storage options") from None
    if not isinstance(options, dict):
        raise ConfigError(f"{STORAGE_ENV} is not a JSON object of storage options")
    return {str(k): str(v) for k, v in options.items()}


class DeltaStore(DeltaReads, BaseStore):
    dialect = "delta"
    capabilities = DELTA
    adapt: dict[str, Any] = {}
    sql = sql
    max_attempts = 10
    backoff = 0.05  # seconds, doubled per attempt (with jitter), at most 2 s

    def __init__(self, url: DatabaseURL, storage_options: dict[str, str] | None = None) -> None:
        super().__init__(url)
        self.root = url.lake_uri
        self.local = "://" not in self.root
        self.storage_options = storage_options if storage_options is not None else storage_options_from_env()
        self.conn = None
        if self.local:
            self.root = os.path.abspath(self.root)
            os.makedirs(self.root, exist_ok=True)

    # -- the lake ------------------------------------------------------------------------
    def table_uri(self, table: Table) -> str:
        parts = [table.schema, table.base_name] if table.schema else [table.base_name]
        return "/".join([self.root.rstrip("/"), *parts])

    def open_table(self, table: Table, version: int | None = None) -> DeltaTable | None:
        try:
            return DeltaTable(self.table_uri(table), version=version, storage_options=self.storage_options)
        except TableNotFoundError:
            return None

    def table_exists(self, table: Table) -> bool:
        return self.open_table(table) is not None

    def default_control(self) -> BaseStore:
        """``FIELDHOUSE_CONTROL_URL`` if set, else ``sqlite:///<lake>/fieldhouse-control.db``."""
        from . import connect

        url = os.environ.get("FIELDHOUSE_CONTROL_URL")
        if not url:
            if not self.local:
                raise ConfigError(f"the lake {self.url.redacted} is in an object store: set FIELDHOUSE_CONTROL_URL "
                                  "to the SQLite or PostgreSQL database that holds the control tables")
            url = "sqlite:///" + os.path.join(self.root, CONTROL_FILE)
        return connect(url)

    # -- transactions: each batch is one Delta commit (nothing spans tables) -------------------
    def _begin(self) -> None:
        pass

    def _commit(self) -> None:
        pass

    def _rollback(self) -> None:
        pass

    def close(self) -> None:
        pass

    def _retried(self, table: Table, apply: Callable[[datetime], dict[str, int]]) -> dict[str, int]:
        written_at = datetime.now(UTC)
        for attempt in range(1, self.max_attempts + 1):
            try:
                return apply(written_at)
            except CommitFailedError as exc:
                if attempt == self.max_attempts:
                    raise self._wrap(exc, f"upsert into {table} (after {attempt} conflicting commits)") from None
                pause = min(2.0, self.backoff * 2 ** (attempt - 1)) * random.uniform(0.5, 1.5)
                log.info("upsert into %s met a concurrent commit; retrying in %.2fs (attempt %d)",
                         table, pause, attempt + 1)
                time.sleep(pause)
            except Exception as exc:
                raise self._wrap(exc, f"upsert into {table}") from None
        raise AssertionError("unreachable")

    # -- schema ------------------------------------------------------------------------
    def _lock_ddl(self) -> None:
        pass  # a Delta commit is atomic; creating a table twice is caught below

    def _create_index(self, table: Table, columns: tuple[str, ...]) -> None:
        pass  # a Delta table has no index; partitions and file statistics prune reads

    def _describe(self, table: Table) -> tuple[dict[str, str], list[str]] | None:
        dt = self.open_table(table)
        if dt is None:
            return None
        fields = json.loads(dt.schema().to_json())["fields"]
        existing = {f["name"]: f["type"] if isinstance(f["type"], str) else "struct" for f in fields}
        key = list(table.primary_key)
        if table.name != CATALOG.name and self.table_exists(CATALOG):
            found = self.rows(CATALOG, where={"name": table.name}, columns=["declaration"])
            if found:
                key = list(found[0]["declaration"]["primary_key"])
        return existing, key

    def _create_or_evolve(self, table: Table) -> bool:
        found = self._describe(table)
        if found is None:
            try:
                write_deltalake(self.table_uri(table), arrow.schema(table).empty_table(), mode="error",
                                partition_by=list(table.partition_by or ()) or None,
                                storage_options=self.storage_options)
                return True
            except (DeltaError, CommitFailedError):
                found = self._describe(table)  # another writer created it first
                if found is None:
                    raise
        existing, key = found
        dt = self.open_table(table)
        assert dt is not None
        stored_parts = list(dt.metadata().partition_columns)
        if stored_parts != list(table.partition_by or ()):
            raise SchemaError(
                f"table {table.name} cannot be changed in place: it is partitioned by "
                f"({', '.join(stored_parts) or 'nothing'}) in the lake but by "
                f"({', '.join(table.partition_by or ()) or 'nothing'}) in the declaration; nothing was changed")
        missing = columns_to_add(table, existing, key, arrow.delta_type)
        if missing:
            dt.alter.add_columns([Field(c, arrow.delta_type(table.columns[c].type), nullable=True) for c in missing])
        return False

    # -- writes ------------------------------------------------------------------------
    def _stored(self, dt: DeltaTable, table: Table, expr: Any) -> dict[tuple[Any, ...], tuple[Any, str]]:
        """(version, rank) of the stored rows meeting ``expr``, by key, at ``dt``'s version."""
        names = [*table.primary_key, table.version, HASH_COLUMN]
        data = arrow.read(arrow.dataset(dt), names, expr)
        cols = [data[c].to_pylist() for c in names]
        n = len(table.primary_key)
        read = arrow.reader(table.columns[table.version].type)
        if read is not None:
            cols[n] = [read(v) for v in cols[n]]
        return {k: (v, h) for k, v, h in zip(zip(*cols[:n], strict=True), cols[n], cols[n + 1], strict=True)}

    def _key_filter(self, table: Table, rows: Sequence[tuple[Any, ...]], columns: Sequence[str],
                    positions: Sequence[int] | None = None) -> Any:
        """Rows whose ``columns`` take values of ``rows`` (each column on its own: a superset
        for a key of several columns, cut down by the lookup by key).  ``positions``: where
        the columns are in ``rows`` (default: their place among the content columns)."""
        content = table.content_columns
        expr = None
        for n, c in enumerate(columns):
            i = content.index(c) if positions is None else positions[n]
            part = arrow.isin(c, {r[i] for r in rows}, arrow.arrow_type(table.columns[c].type))
            expr = part if expr is None else expr & part
        return expr

    def _merge(self, dt: DeltaTable, table: Table, rows: Sequence[tuple[Any, ...]], mode: str,
               written_at: datetime, delete_parents: set[tuple[Any, ...]] | None = None) -> dict[str, Any]:
        source = arrow.to_arrow(table, rows, written_at)
        merger = dt.merge(source, sql.on(table, partitions_of(table, rows)), source_alias=sql.SOURCE,
                          target_alias=sql.TARGET)
        if mode == "upsert":
            merger = merger.when_matched_update_all(predicate=sql.newer(table))
        elif mode == "replace":
            merger = merger.when_matched_update_all(predicate=sql.differs(table))
        merger = merger.when_not_matched_insert_all()
        if delete_parents:
            merger = merger.when_not_matched_by_source_delete(sql.members(table, table.parent_key, delete_parents))
        return merger.execute()

    def _upsert_rows(self, table: Table, rows: Sequence[tuple[Any, ...]], mode: str, written_at: datetime,
                     conflict_limit: int) -> dict[str, Any]:
        dt = self.open_table(table)
        if dt is None:
            raise StoreError(f"table {table} is not in the lake {self.url.redacted}")
        cols = [*(table.partition_by or ()), *table.primary_key]
        stored = self._stored(dt, table, self._key_filter(table, rows, list(dict.fromkeys(cols))))
        found = classify(table, rows, stored, mode, conflict_limit)
        if found.write:
            metrics = self._merge(dt, table, found.write, mode, written_at)
            expected = (found.counts["inserted"], found.counts["updated"])
            if (metrics["num_target_rows_inserted"], metrics["num_target_rows_updated"]) != expected:
                log.warning("upsert into %s: the MERGE wrote %s, the classification expected %s",
                            table, metrics, expected)
        return found.counts

    def _apply(self, table: Table, prepared: Prepared, mode: str, written_at: datetime) -> dict[str, Any]:
        if not prepared.rows:
            return {}
        return self._upsert_rows(table, prepared.rows, mode, written_at, prepared.conflict_limit)

    def _apply_snapshots(self, table: Table, prepared: Prepared, markers: Table,
                         marker_rows: list[tuple[Any, ...]], written_at: datetime) -> dict[str, Any]:
        """Markers first (an ordinary upsert), then, for the parents whose stored marker is
        now exactly the batch's, one MERGE writing their rows and deleting their others."""
        np = len(table.parent_key or ())
        if marker_rows:
            self._upsert_rows(markers, marker_rows, "upsert", written_at, 0)
        mdt = self.open_table(markers)
        assert mdt is not None
        current = self._stored(mdt, markers, self._key_filter(markers, marker_rows, markers.primary_key)) \
            if marker_rows else {}
        applied = {tuple(m[:np]) for m in marker_rows if current.get(tuple(m[:np])) == (m[np], m[-1])}
        groups = parents_of(table, prepared.rows)
        content = table.content_columns
        key_idx = [content.index(k) for k in table.primary_key]
        vi = content.index(table.version)
        rows = [r for p in applied for r in groups.get(p, ())]
        losers = sorted((tuple(r[i] for i in key_idx), r[vi], current[p][0])
                        for p, rs in groups.items() if p not in applied for r in rs)
        counts: dict[str, Any] = {"stale": len(losers), "deleted": 0}
        counts["conflicts"] = [Conflict(dict(zip(table.primary_key, k, strict=True)), v, s)
                               for k, v, s in losers[:prepared.conflict_limit]]
        if not applied:
            return counts
        dt = self.open_table(table)
        assert dt is not None
        stored = self._stored(dt, table, self._key_filter(table, list(applied), table.parent_key, range(np)))
        found = classify(table, rows, stored, "replace")
        keys = {tuple(r[i] for i in key_idx) for r in rows}
        deleted = sum(1 for k in stored if k not in keys)
        if found.write or deleted:
            self._merge(dt, table, rows, "replace", written_at, delete_parents=applied)
        counts.update({k: v for k, v in found.counts.items() if k != "stale"})
        counts["deleted"] = deleted
        return counts

    # -- rank upgrades: rewrite the table's ranks in one overwrite ---------------------------
    def _rerank_begin(self, table: Table) -> None:
        self._reranked: dict[tuple[Any, ...], str] = {}

    def _rerank_add(self, table: Table, rows: list[tuple[Any, ...]]) -> None:
        self._reranked.update((tuple(r[:-1]), r[-1]) for r in rows)

    def _rerank_finish(self, table: Table) -> int:
        dt = self.open_table(table)
        assert dt is not None
        data = arrow.dataset(dt).to_table()
        keys = zip(*(data[k].to_pylist() for k in table.primary_key), strict=True)
        old = data[HASH_COLUMN].to_pylist()
        new = [self._reranked.get(k, o) for k, o in zip(keys, old, strict=True)]
        changed = sum(a != b for a, b in zip(old, new, strict=True))
        if changed:
            data = data.set_column(data.column_names.index(HASH_COLUMN), HASH_COLUMN, pa.array(new, pa.string()))
            write_deltalake(dt, data.cast(arrow.schema(table)), mode="overwrite",
                            storage_options=self.storage_options)
        return changed
