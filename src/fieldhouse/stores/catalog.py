"""The catalog of managed tables: ``fieldhouse_tables``, one row per table that
``ensure_table`` created or changed, however it was created (sync, load, replay), so that
``fieldhouse status`` can list them all and ``ensure_table`` knows which rank version a
table's stored ranks have.

It is an ordinary table, written with the defensive upsert (version: ``updated_at``).
``kind`` says what a table is: ``data`` (a source's or a user's), ``control`` (fieldhouse's
own, named ``fieldhouse_*``: the run ledger, raw zone, quarantine, ...) or ``snapshots`` (the
snapshot markers of a table with a parent_key, see docs/upsert.md).  The catalog does not
list itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..table import SNAPSHOTS_SUFFIX, Table

CATALOG = Table(
    "fieldhouse_tables",
    columns={
        "name": "text",
        "kind": "text not null",
        "declaration": "json not null",
        "rank_version": "int not null",
        "created_at": "timestamptz not null",
        "updated_at": "timestamptz",
    },
    primary_key=["name"],
    version="updated_at",
)

KINDS = ("data", "control", "snapshots")
CONTROL_PREFIX = "fieldhouse_"


def kind_of(table: Table) -> str:
    if table.base_name.endswith(SNAPSHOTS_SUFFIX):
        return "snapshots"
    return "control" if table.name.startswith(CONTROL_PREFIX) else "data"


def declaration(table: Table) -> dict[str, Any]:
    """A table's declaration as JSON: enough to rebuild an equal :class:`Table`.  Columns
    are ``[name, type]`` pairs in declaration order (a JSON object's keys are sorted)."""
    decl = {
        "columns": [[name, str(col.type) + ("" if col.nullable else " not null")] for name, col in table.columns.items()],
        "primary_key": list(table.primary_key),
        "version": table.version,
        "written_at": table.written_at,
        "parent_key": list(table.parent_key) if table.parent_key else None,
    }
    if getattr(table, "partition_by", None):
        decl["partition_by"] = list(table.partition_by)
    return decl


def merged(stored: Mapping[str, Any] | None, table: Table) -> dict[str, Any]:
    """The declaration to record: ``table``'s, with any column the stored declaration has
    and ``table`` does not (columns are never dropped: a writer with an older declaration
    does not hide columns that another one added)."""
    decl = declaration(table)
    if stored:
        declared = {name for name, _ in decl["columns"]}
        older = [[n, t] for n, t in stored.get("columns") or [] if n not in declared]
        decl["columns"] = decl["columns"] + older
    return decl


def rank_shape(decl: Mapping[str, Any] | None) -> tuple[Any, Any]:
    """What the stored ranks depend on besides the values: the version column and the
    written_at column (both are left out of a row's content)."""
    if not decl:
        return (None, None)
    return (decl.get("version"), decl.get("written_at"))


@dataclass(frozen=True)
class CatalogEntry:
    """One managed table, as ``store.tables()`` lists it."""

    name: str
    kind: str
    declaration: dict[str, Any]
    rank_version: int
    created_at: datetime
    updated_at: datetime

    @property
    def table(self) -> Table:
        """The table's declaration as a :class:`Table` (to count its rows, read it...)."""
        d = self.declaration
        return Table(self.name, columns={name: spec for name, spec in d["columns"]}, primary_key=list(d["primary_key"]),
                     version=d["version"], written_at=d.get("written_at"),
                     parent_key=tuple(d["parent_key"]) if d.get("parent_key") else None,
                     partition_by=tuple(d["partition_by"]) if d.get("partition_by") else None)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CatalogEntry:
        return cls(row["name"], row["kind"], dict(row["declaration"]), int(row["rank_version"]),
                   row["created_at"], row["updated_at"])
