"""The SQL of partitioned PostgreSQL tables (``Table(partition_by=...)``, docs/scale.md):
declarative LIST partitions for a text or whole-number column, RANGE partitions by month
for a date or timestamptz column.  Identifiers are checked by table.quote(); partition
bounds are literals built here from values the column's cast produced (a date, a
timestamp, an int, or text with its quotes doubled)."""

from __future__ import annotations

from datetime import date, datetime

from ..table import HASH_COLUMN, Table, quote
from .postgresql_sql import _cols, _rank, key_order, qualified, type_sql

RANGE_TYPES = ("date", "timestamptz")
LIST_TYPES = ("text", "int", "bigint")

#: Serialises the creation of one partition across connections (transaction scoped):
#: bound as (PARTITION_LOCK_CLASS, hashtext(partition name)).
PARTITION_LOCK = "SELECT pg_advisory_xact_lock(%s, hashtext(%s))"
PARTITION_LOCK_CLASS = 0x6668_7074  # "fhpt"

#: ``LIST (season)`` / ``RANGE (game_date)``, or NULL for a table that is not partitioned.
DESCRIBE_PARTITIONING = "SELECT pg_get_partkeydef(to_regclass(%s))"

#: The partitions a table has: their names.
LIST_PARTITIONS = """
SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = to_regclass(%s)
"""


def strategy(table: Table) -> str:
    """``LIST`` or ``RANGE`` for the table's one partition column."""
    column = table.partition_by[0]
    return "RANGE" if table.columns[column].type.name in RANGE_TYPES else "LIST"


def create_partitioned(table: Table) -> str:
    defs = [f"{quote(c)} {type_sql(col.type)}{'' if col.nullable else ' NOT NULL'}"
            for c, col in table.columns.items()]
    defs.append(f"{quote(HASH_COLUMN)} text NOT NULL")
    defs.append(f"PRIMARY KEY ({_cols(list(table.primary_key))})")
    return (f"CREATE TABLE IF NOT EXISTS {qualified(table)} (\n  " + ",\n  ".join(defs) + "\n) "
            f"PARTITION BY {strategy(table)} ({quote(table.partition_by[0])})")


def partition_regclass(table: Table, name: str) -> str:
    return (quote(table.schema) + "." if table.schema else "") + quote(name)


def _literal(value: object) -> str:
    if isinstance(value, bool):
        raise TypeError("a bool cannot be a partition bound")
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, datetime):
        return "'" + value.isoformat() + "'"
    if isinstance(value, date):
        return "'" + value.isoformat() + "'"
    return "'" + str(value).replace("'", "''") + "'"


def create_list_partition(table: Table, name: str, value: object) -> str:
    return (f"CREATE TABLE IF NOT EXISTS {partition_regclass(table, name)} "
            f"PARTITION OF {qualified(table)} FOR VALUES IN ({_literal(value)})")


def create_range_partition(table: Table, name: str, start: object, end: object) -> str:
    return (f"CREATE TABLE IF NOT EXISTS {partition_regclass(table, name)} "
            f"PARTITION OF {qualified(table)} FOR VALUES FROM ({_literal(start)}) TO ({_literal(end)})")


def apply_stage(table: Table, stage: str, mode: str) -> list[str]:
    """The statements that apply a stage to a partitioned table (PostgreSQL cannot return
    ``xmax`` from one: "cannot retrieve a system column in this context"): insert the new
    keys (count: inserted), lock the stored rows of the staged keys in key order, update
    those the staged (version, rank) beats (``replace``: differs from; count: updated).
    A key another writer inserts between the two is waited for by the insert and then
    updated by the rule, as with the one-statement form.  Each returns one count."""
    names = [*table.content_columns, HASH_COLUMN]
    select = _cols(names)
    if table.written_at:
        names.append(table.written_at)
        select += ", %s::timestamptz"
    key = _cols(list(table.primary_key))
    insert = (f"WITH w AS (INSERT INTO {qualified(table)} AS t ({_cols(names)}) "
              f"SELECT {select} FROM {quote(stage)} ORDER BY {key_order(table)} "
              f"ON CONFLICT ({key}) DO NOTHING RETURNING 1) SELECT count(*) FROM w")
    if mode == "insert_new":
        return [insert]
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)
    lock = (f"WITH l AS (SELECT 1 FROM {qualified(table)} AS t JOIN {quote(stage)} AS s ON {join} "
            f"ORDER BY {key_order(table, 't.')} FOR UPDATE OF t) SELECT count(*) FROM l")
    sets = [f"{quote(c)} = s.{quote(c)}" for c in names if c not in table.primary_key and c != table.written_at]
    if table.written_at:
        sets.append(f"{quote(table.written_at)} = %s::timestamptz")
    compare = "IS DISTINCT FROM" if mode == "replace" else ">"
    update = (f"WITH u AS (UPDATE {qualified(table)} AS t SET {', '.join(sets)} FROM {quote(stage)} AS s "
              f"WHERE {join} AND {_rank('s', table)} {compare} {_rank('t', table)} RETURNING 1) "
              "SELECT count(*) FROM u")
    return [insert, lock, update]
