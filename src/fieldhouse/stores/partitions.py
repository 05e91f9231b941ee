"""Partitioned PostgreSQL tables: what ``partition_by`` means there, and the partitions a
batch needs, created on demand (docs/scale.md).

* one partition column, part of the primary key (Table validates it): LIST partitions for a
  ``text``/``int``/``bigint`` column (one per value: a season), RANGE partitions by month
  for a ``date``/``timestamptz`` column (UTC months);
* before a batch is written, the partitions its rows need are created inside the writing
  transaction (a lone upsert: in a short transaction of its own just before), each under a
  transaction-scoped advisory lock on its name and with ``IF NOT EXISTS``, so concurrent
  writers creating the same partition wait for each other instead of failing;
* ``ensure_table`` refuses to change an existing table's partitioning (SchemaError).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from ..errors import CastError, SchemaError
from ..table import Table
from ..types import caster
from . import postgresql_partitions_sql as psql

MAX_NAME = 63


def check(table: Table) -> None:
    """SchemaError if PostgreSQL cannot partition ``table`` as declared."""
    if not table.partition_by:
        return
    where = f"table {table.name}: partition_by"
    if len(table.partition_by) != 1:
        raise SchemaError(f"{where}: PostgreSQL partitions by one column, not {len(table.partition_by)}")
    kind = table.columns[table.partition_by[0]].type.name
    if kind not in psql.RANGE_TYPES + psql.LIST_TYPES:
        raise SchemaError(f"{where} column {table.partition_by[0]!r} has type {kind}: PostgreSQL partitions "
                          "by a text or int column (LIST) or a date or timestamptz column (RANGE by month)")


def declared(table: Table) -> str | None:
    """The partitioning ``ensure_table`` gives the table: ``LIST (season)``, or None."""
    if not table.partition_by:
        return None
    return f"{psql.strategy(table)} ({table.partition_by[0]})"


def normalised(found: str | None) -> str | None:
    """pg_get_partkeydef's text with identifier quotes removed."""
    return None if found is None else found.replace('"', "")


def refuse_change(table: Table, found: str | None) -> None:
    want, have = declared(table), normalised(found)
    if want != have:
        raise SchemaError(
            f"table {table.name} exists {'partitioned by ' + have if have else 'unpartitioned'}; its declaration "
            f"says {'partitioned by ' + want if want else 'unpartitioned'}: ensure_table does not change an "
            "existing table's partitioning (create a new table and copy the rows)")


def _month(value: date) -> date:
    return date(value.year, value.month, 1)


def _next_month(value: date) -> date:
    return date(value.year + value.month // 12, value.month % 12 + 1, 1)


def _name(table: Table, label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    name = f"{table.base_name}_p_{slug}"
    if len(name) > MAX_NAME or slug != label.lower():
        digest = hashlib.sha1(label.encode()).hexdigest()[:8]
        name = f"{table.base_name[:MAX_NAME - len(slug[:20]) - 13]}_p_{slug[:20]}_{digest}"
    return name[:MAX_NAME]


def needed(table: Table, rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """{partition name: CREATE statement} for the partitions the rows fall in.  A value
    that does not cast is skipped: the upsert rejects its row."""
    column = table.partition_by[0]
    cast = caster(table.columns[column].type)
    ranged = psql.strategy(table) == "RANGE"
    timestamps = table.columns[column].type.name == "timestamptz"
    found: dict[str, str] = {}
    seen: set[Any] = set()
    for row in rows:
        if not isinstance(row, Mapping):
            continue  # the upsert rejects it
        raw = row.get(column)
        if raw is None or (not isinstance(raw, dict | list) and raw in seen):
            continue
        try:
            value = cast(raw)
        except (CastError, TypeError, ValueError):
            continue
        if not isinstance(raw, dict | list):
            seen.add(raw)
        if ranged:
            day = value.astimezone(UTC).date() if isinstance(value, datetime) else value
            start, end = _month(day), _next_month(_month(day))
            name = _name(table, f"{start:%Y_%m}")
            if name not in found:
                if timestamps:
                    start = datetime(start.year, start.month, 1, tzinfo=UTC)
                    end = datetime(end.year, end.month, 1, tzinfo=UTC)
                found[name] = psql.create_range_partition(table, name, start, end)
        else:
            name = _name(table, str(value))
            if name not in found:
                found[name] = psql.create_list_partition(table, name, value)
    return found
