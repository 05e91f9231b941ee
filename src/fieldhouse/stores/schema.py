"""Creating and evolving tables, the catalog of managed tables, and rank upgrades: the
part of every SQL store that ``ensure_table`` runs (mixed into :class:`BaseStore`)."""

from __future__ import annotations

import logging
from abc import abstractmethod
from datetime import UTC, datetime, timedelta
from typing import Any

from ..errors import CastError
from ..table import Table
from ..types import caster
from . import catalog
from . import rank as rank_mod
from .catalog import CATALOG, CatalogEntry
from .evolve import columns_to_add
from .rank import RANK_VERSION
from .snapshots import marker_table

log = logging.getLogger("fieldhouse.stores")


class ManagedTables:
    """``ensure_table`` and ``tables``; the backend gives the hooks below."""

    conn: Any
    _ensured: set[str]

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

