"""The predicates of the Delta store's MERGE (DataFusion SQL expressions, built only from
identifiers that :func:`fieldhouse.table.quote` checked and literals formatted here)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from ..errors import SchemaError
from ..table import HASH_COLUMN, Table, quote

SOURCE, TARGET = "s", "t"


def literal(table: Table, column: str, value: Any) -> str:
    """A SQL literal of a key value (the types a partition or parent column may have)."""
    kind = table.columns[column].type.name
    if kind in ("int", "bigint") and type(value) is int:
        return str(value)
    if kind == "text" and isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if kind == "date" and isinstance(value, date):
        return f"DATE '{value.isoformat()}'"
    if kind == "bool" and isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    raise SchemaError(f"table {table.name}: column {column!r} of type {kind} cannot select partitions or "
                      "parents on a Delta table; use int, bigint, text, date or bool")


def _col(alias: str, column: str) -> str:
    return f"{alias}.{quote(column)}"


def members(table: Table, columns: Sequence[str], tuples: Iterable[tuple[Any, ...]], alias: str = TARGET) -> str:
    """``alias``'s (columns) is one of ``tuples``: an IN list for one column, else ORs."""
    tuples = sorted(set(tuples))
    if len(columns) == 1:
        return f"{_col(alias, columns[0])} IN ({', '.join(literal(table, columns[0], t[0]) for t in tuples)})"
    return "(" + " OR ".join(
        "(" + " AND ".join(f"{_col(alias, c)} = {literal(table, c, v)}" for c, v in zip(columns, t, strict=True)) + ")"
        for t in tuples) + ")"


def on(table: Table, partitions: Iterable[tuple[Any, ...]] | None) -> str:
    """The match: equal keys, and the target's rows limited to the batch's partitions (so
    files of other partitions are pruned and writers to other partitions do not conflict)."""
    parts = [f"{_col(TARGET, k)} = {_col(SOURCE, k)}" for k in table.primary_key]
    if table.partition_by and partitions is not None:
        parts.append(members(table, table.partition_by, partitions))
    return " AND ".join(parts)


def newer(table: Table) -> str:
    """The update predicate of the defensive upsert: the source's (version, rank) is greater."""
    v, h = quote(table.version), quote(HASH_COLUMN)
    return f"({SOURCE}.{v} > {TARGET}.{v} OR ({SOURCE}.{v} = {TARGET}.{v} AND {SOURCE}.{h} > {TARGET}.{h}))"


def differs(table: Table) -> str:
    """The update predicate of snapshot replacement: the row is not the stored one."""
    v, h = quote(table.version), quote(HASH_COLUMN)
    return f"({SOURCE}.{v} <> {TARGET}.{v} OR {SOURCE}.{h} <> {TARGET}.{h})"
