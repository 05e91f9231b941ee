"""Table declarations: the columns, the primary key and the version column of a target table."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import IdentifierError, SchemaError
from .types import VERSION_TYPES, ColumnType

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_IDENTIFIER = 63  # PostgreSQL's limit; SQLite has none, but tables must fit both
RESERVED_PREFIX = "_fh_"
HASH_COLUMN = "_fh_hash"
#: The companion table of a table with a parent_key holds its snapshot markers.
SNAPSHOTS_SUFFIX = "__snapshots"
SNAPSHOT_HASH = "snapshot_hash"
# Schemas PostgreSQL reserves for itself, and SQLite's reserved table-name prefix.
_SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")


def check_identifier(name: Any, what: str = "identifier") -> str:
    """Return ``name`` if it is a safe SQL identifier, else raise IdentifierError."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or len(name) > MAX_IDENTIFIER:
        raise IdentifierError(
            f"{what} {name!r} is not allowed: use letters, digits and underscores, "
            f"starting with a letter or underscore, at most {MAX_IDENTIFIER} characters"
        )
    return name


def quote(name: str) -> str:
    """Quote an identifier that :func:`check_identifier` accepted."""
    return '"' + check_identifier(name) + '"'


def _check_not_system(name: str, schema: str | None, base: str) -> None:
    """Refuse a table that would land among a database's own objects, on every store: a
    PostgreSQL system schema (pg_catalog, information_schema, pg_*), an undotted name
    beginning with pg_ (PostgreSQL looks such a name up in pg_catalog first), or a SQLite
    name beginning with sqlite_ (``league.games`` is ``league_games`` there)."""
    if schema is not None and (schema.lower() in _SYSTEM_SCHEMAS or schema.lower().startswith("pg_")):
        raise IdentifierError(
            f"table name {name!r} is not allowed: schema {schema!r} is reserved for the database's own "
            "tables (pg_catalog, information_schema and pg_*); choose another schema"
        )
    if schema is None and base.lower().startswith("pg_"):
        raise IdentifierError(
            f"table name {name!r} is not allowed: names beginning with pg_ are PostgreSQL's own "
            "(it finds pg_catalog's tables first); choose another name"
        )
    flat = f"{schema}_{base}" if schema else base
    if flat.lower().startswith("sqlite_"):
        raise IdentifierError(
            f"table name {name!r} is not allowed: SQLite reserves names beginning with sqlite_; choose another name"
        )


@dataclass(frozen=True)
class Column:
    """One column: its type and whether it may be NULL (key and version never may)."""

    type: ColumnType
    nullable: bool = True

    @classmethod
    def parse(cls, spec: str | ColumnType | Column) -> Column:
        if isinstance(spec, Column):
            return spec
        if isinstance(spec, str) and spec.strip().lower().endswith(" not null"):
            return cls(ColumnType.parse(spec.strip()[: -len(" not null")]), nullable=False)
        return cls(ColumnType.parse(spec))


@dataclass(frozen=True)
class Table:
    """A target table.

    ``name`` may be dotted (``stats.games``): a schema in PostgreSQL, the table ``stats_games``
    in SQLite.  ``columns`` maps each column name to a type (``"int"``, ``"decimal(5,1)"``,
    ``"text not null"``) or a :class:`Column`.  ``version`` names the column that decides
    which copy of a row is newer.  ``written_at``, if given, names a ``timestamptz`` column
    that the store sets to the time a row was last inserted or updated; it takes no part in
    comparisons.  ``parent_key``, if given, names primary-key columns (fewer than the whole
    key) whose values identify a parent whose rows arrive as whole snapshots: a newer
    snapshot of a parent replaces its rows (see ``store.upsert(..., snapshots=)``).
    ``partition_by``, if given, names primary-key columns to partition the stored table by
    (a Delta table's Hive-style folders); stores that cannot partition ignore it (capability
    ``partitions``).
    """

    name: str
    columns: Mapping[str, Any]
    primary_key: list[str] | tuple[str, ...]
    version: str
    written_at: str | None = None
    parent_key: tuple[str, ...] | list[str] | None = None
    partition_by: tuple[str, ...] | list[str] | None = None
    schema: str | None = field(init=False, default=None)
    base_name: str = field(init=False, default="")

    def __post_init__(self) -> None:
        parts = self.name.split(".") if isinstance(self.name, str) else [self.name]
        if len(parts) > 2:
            raise IdentifierError(f"table name {self.name!r} has more than one dot")
        for part in parts:
            check_identifier(part, "table name part" if len(parts) > 1 else "table name")
        schema, base = (parts[0], parts[1]) if len(parts) == 2 else (None, parts[0])
        _check_not_system(self.name, schema, base)
        object.__setattr__(self, "schema", schema)
        object.__setattr__(self, "base_name", base)

        if not isinstance(self.columns, Mapping) or not self.columns:
            raise SchemaError(f"table {self.name}: columns must be a non-empty mapping")
        parsed: dict[str, Column] = {}
        for col, spec in self.columns.items():
            check_identifier(col, f"column name in table {self.name}:")
            if col.lower().startswith(RESERVED_PREFIX):
                raise IdentifierError(
                    f"table {self.name}: column {col!r} uses the reserved prefix {RESERVED_PREFIX}"
                )
            try:
                parsed[col] = Column.parse(spec)
            except SchemaError as exc:
                raise SchemaError(f"table {self.name}, column {col}: {exc}") from None
        lowered = [c.lower() for c in parsed]
        if len(set(lowered)) != len(lowered):
            raise SchemaError(f"table {self.name}: two columns differ only in letter case")

        key = list(self.primary_key) if not isinstance(self.primary_key, str) else [self.primary_key]
        if not key:
            raise SchemaError(f"table {self.name}: the primary key needs at least one column")
        for col in key:
            if col not in parsed:
                raise SchemaError(f"table {self.name}: primary key column {col!r} is not a column")
        if len(set(key)) != len(key):
            raise SchemaError(f"table {self.name}: a primary key column is named twice")
        if self.version not in parsed:
            raise SchemaError(f"table {self.name}: version column {self.version!r} is not a column")
        if self.version in key:
            raise SchemaError(
                f"table {self.name}: version column {self.version!r} cannot be part of the primary key"
            )
        vtype = parsed[self.version].type.name
        if vtype not in VERSION_TYPES:
            raise SchemaError(
                f"table {self.name}: version column {self.version!r} has type {vtype}; "
                f"use one of {', '.join(VERSION_TYPES)}"
            )
        if self.written_at is not None:
            if self.written_at not in parsed:
                raise SchemaError(f"table {self.name}: written_at column {self.written_at!r} is not a column")
            if parsed[self.written_at].type.name != "timestamptz":
                raise SchemaError(f"table {self.name}: written_at column {self.written_at!r} must be timestamptz")
            if self.written_at in key or self.written_at == self.version:
                raise SchemaError(
                    f"table {self.name}: written_at column {self.written_at!r} cannot be a key or the version"
                )
        for col in [*key, self.version]:
            parsed[col] = Column(parsed[col].type, nullable=False)
        object.__setattr__(self, "columns", parsed)
        object.__setattr__(self, "primary_key", tuple(key))
        if self.parent_key is not None:
            object.__setattr__(self, "parent_key", self._checked_parent_key(parsed, key))
        if self.partition_by is not None:
            object.__setattr__(self, "partition_by", self._checked_partition_by(parsed, key))

    def _checked_partition_by(self, parsed: Mapping[str, Column], key: list[str]) -> tuple[str, ...] | None:
        where = f"table {self.name}: partition_by"
        cols = [self.partition_by] if isinstance(self.partition_by, str) else list(self.partition_by or ())
        if not cols:
            return None
        if len(set(cols)) != len(cols):
            raise SchemaError(f"{where} names a column twice")
        for col in cols:
            if col not in parsed:
                raise SchemaError(f"{where} column {col!r} is not a column")
            if col not in key:
                raise SchemaError(f"{where} column {col!r} is not a primary key column")
            if parsed[col].type.name in ("json", "float"):
                raise SchemaError(f"{where} column {col!r} has type {parsed[col].type.name}, which cannot partition")
        return tuple(cols)

    def _checked_parent_key(self, parsed: Mapping[str, Column], key: list[str]) -> tuple[str, ...]:
        where = f"table {self.name}: parent_key"
        parent = [self.parent_key] if isinstance(self.parent_key, str) else list(self.parent_key or ())
        if not parent:
            raise SchemaError(f"{where} must name at least one primary key column (or be None)")
        if len(set(parent)) != len(parent):
            raise SchemaError(f"{where} names a column twice")
        for col in parent:
            if col not in key:
                raise SchemaError(f"{where} column {col!r} is not a primary key column")
            if parsed[col].type.name in ("json", "float"):
                raise SchemaError(f"{where} column {col!r} has type {parsed[col].type.name}, which cannot identify a parent")
        if len(parent) >= len(key):
            raise SchemaError(f"{where} must be fewer columns than the whole primary key ({', '.join(key)})")
        if SNAPSHOT_HASH in parent or self.version == SNAPSHOT_HASH:
            raise SchemaError(f"{where}: the column name {SNAPSHOT_HASH!r} is taken by the snapshot markers")
        if len(self.base_name) + len(SNAPSHOTS_SUFFIX) > MAX_IDENTIFIER:
            raise SchemaError(
                f"{where}: the name {self.base_name!r} is too long for its companion table "
                f"{self.base_name + SNAPSHOTS_SUFFIX!r} (at most {MAX_IDENTIFIER} characters)"
            )
        return tuple(parent)

    @property
    def column_names(self) -> list[str]:
        return list(self.columns)

    @property
    def content_columns(self) -> list[str]:
        """The columns whose values make up a row's content (all but ``written_at``)."""
        return [c for c in self.columns if c != self.written_at]

    def __str__(self) -> str:
        return self.name
