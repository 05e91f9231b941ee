"""Every SQL statement the PostgreSQL store runs, in one place.

Identifiers are checked and quoted by :func:`fieldhouse.table.quote`; values are always
bound (``%s``) or streamed through COPY.  Version and rank comparisons use the "C"
collation so that text compares by code point, exactly as the batch resolution in Python
does, whatever the database's default collation.
"""

from __future__ import annotations

from ..table import HASH_COLUMN, Table, quote
from ..types import ColumnType

DDL_LOCK_KEY = 0x46484444  # "FHDD": serialises fieldhouse DDL across connections
NAMED_LOCK_CLASS = 0x464C  # "FL": the key space of store.lock(name) (two-int advisory locks)


def type_sql(ctype: ColumnType) -> str:
    if ctype.name == "decimal":
        return f"numeric({ctype.precision},{ctype.scale})"
    return {
        "int": "integer",
        "bigint": "bigint",
        "float": "double precision",
        "text": "text",
        "bool": "boolean",
        "date": "date",
        "timestamptz": "timestamp with time zone",
        "json": "jsonb",
    }[ctype.name]


def qualified(table: Table) -> str:
    return (quote(table.schema) + "." if table.schema else "") + quote(table.base_name)


def regclass_name(table: Table) -> str:
    """The text to_regclass() takes for this table (bound as a parameter)."""
    return qualified(table)


def _cols(names: list[str], prefix: str = "") -> str:
    return ", ".join(prefix + quote(n) for n in names)


def create_schema(table: Table) -> str:
    return f"CREATE SCHEMA IF NOT EXISTS {quote(table.schema)}" if table.schema else ""


def create_table(table: Table) -> str:
    defs = [
        f"{quote(c)} {type_sql(col.type)}{'' if col.nullable else ' NOT NULL'}"
        for c, col in table.columns.items()
    ]
    defs.append(f"{quote(HASH_COLUMN)} text NOT NULL")
    defs.append(f"PRIMARY KEY ({_cols(list(table.primary_key))})")
    return f"CREATE TABLE IF NOT EXISTS {qualified(table)} (\n  " + ",\n  ".join(defs) + "\n)"


def add_column(table: Table, column: str) -> str:
    return f"ALTER TABLE {qualified(table)} ADD COLUMN {quote(column)} {type_sql(table.columns[column].type)}"


DDL_LOCK = "SELECT pg_advisory_xact_lock(%s)"

# store.lock(name): a session-level advisory lock, released on unlock or when the
# connection ends (so a killed holder releases it).  Bound: (NAMED_LOCK_CLASS, name).
TRY_NAMED_LOCK = "SELECT pg_try_advisory_lock(%s, hashtext(%s))"
NAMED_UNLOCK = "SELECT pg_advisory_unlock(%s, hashtext(%s))"

DESCRIBE_COLUMNS = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
FROM pg_attribute a
WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""

DESCRIBE_KEY = """
SELECT a.attname
FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
WHERE i.indrelid = to_regclass(%s) AND i.indisprimary
ORDER BY array_position(i.indkey::int2[], a.attnum)
"""


def create_stage(table: Table, stage: str) -> str:
    defs = [f"{quote(c)} {type_sql(table.columns[c].type)}" for c in table.content_columns]
    defs.append(f"{quote(HASH_COLUMN)} text")
    return f"CREATE TEMP TABLE {quote(stage)} ({', '.join(defs)}) ON COMMIT DROP"


def copy_stage(table: Table, stage: str) -> str:
    """Binary COPY: the server need not parse text (floats and timestamps dominate that),
    and psycopg packs the values in C.  :func:`copy_types` gives the column types."""
    return f"COPY {quote(stage)} ({_cols([*table.content_columns, HASH_COLUMN])}) FROM STDIN (FORMAT BINARY)"


_COPY_TYPE = {
    "int": "int4", "bigint": "int8", "float": "float8", "decimal": "numeric", "text": "text",
    "bool": "bool", "date": "date", "timestamptz": "timestamptz", "json": "jsonb",
}


def copy_types(table: Table) -> list[str]:
    """The type of each column :func:`copy_stage` carries, for psycopg's ``Copy.set_types``."""
    return [*(_COPY_TYPE[table.columns[c].type.name] for c in table.content_columns), "text"]


def copy_target(table: Table) -> str:
    """Binary COPY straight into the table: content columns, hash, then written_at if the
    table has one (see :func:`copy_target_types`).  Used for a chunk of new keys only,
    inside :data:`SAVEPOINT` (a key that exists after all raises unique_violation)."""
    names = [*table.content_columns, HASH_COLUMN, *([table.written_at] if table.written_at else [])]
    return f"COPY {qualified(table)} ({_cols(names)}) FROM STDIN (FORMAT BINARY)"


def copy_target_types(table: Table) -> list[str]:
    return [*copy_types(table), *(["timestamptz"] if table.written_at else [])]


def range_has_rows(table: Table) -> str:
    """Whether the table holds a key between two keys (bound: the least key's values, then
    the greatest's).  Only a hint for choosing a plan: compared in the column's collation,
    which may not be the order the bounds were found in."""
    row = "ROW(" + _cols(list(table.primary_key)) + ")"
    marks = "ROW(" + ", ".join(["%s"] * len(table.primary_key)) + ")"
    return f"SELECT EXISTS (SELECT 1 FROM {qualified(table)} WHERE {row} >= {marks} AND {row} <= {marks})"


SAVEPOINT = "SAVEPOINT _fh_chunk"
RELEASE_SAVEPOINT = "RELEASE SAVEPOINT _fh_chunk"
ROLLBACK_TO_SAVEPOINT = "ROLLBACK TO SAVEPOINT _fh_chunk"


def drop_stage(stage: str) -> str:
    return f"DROP TABLE IF EXISTS {quote(stage)}"


def _rank(alias: str, table: Table) -> str:
    return (
        f'({alias}.{quote(table.version)}{_collate(table)}, {alias}.{quote(HASH_COLUMN)} COLLATE "C")'
    )


def _collate(table: Table) -> str:
    return ' COLLATE "C"' if table.columns[table.version].type.name == "text" else ""


def key_order(table: Table) -> str:
    """The key as an ORDER BY list, text compared as "C" (code points): the order Python
    sorts keys in, so chunks of a batch sorted in Python take row locks in this order too."""
    return ", ".join(
        quote(k) + (' COLLATE "C"' if table.columns[k].type.name == "text" else "") for k in table.primary_key
    )


def apply_stage(table: Table, stage: str, mode: str) -> str:
    """Insert new keys and overwrite existing ones only where the staged (version, rank) is
    greater; rows are taken in key order (:func:`key_order`) so concurrent writers lock
    rows in one order.
    Returns one row: (inserted, updated)."""
    names = [*table.content_columns, HASH_COLUMN]
    select = _cols(names)
    if table.written_at:
        names.append(table.written_at)
        select += ", %s::timestamptz"
    key = _cols(list(table.primary_key))
    head = (
        f"INSERT INTO {qualified(table)} AS t ({_cols(names)}) "
        f"SELECT {select} FROM {quote(stage)} ORDER BY {key_order(table)} "
        f"ON CONFLICT ({key}) DO "
    )
    if mode == "insert_new":
        body = head + "NOTHING"
    else:
        updates = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in names if c not in table.primary_key)
        body = head + f"UPDATE SET {updates} WHERE {_rank('EXCLUDED', table)} > {_rank('t', table)}"
    return (
        f"WITH w AS ({body} RETURNING (t.xmax = 0) AS fresh) "
        "SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM w"
    )


def _in_range(table: Table, stage: str) -> tuple[str, str]:
    """For a stage holding one chunk of a batch: a WITH prefix and a condition on ``t``
    that keep the table's side of a join to the key range of the stage.  The bounds are
    the stage's least and greatest key in the primary key index's own order, so the
    condition is an index range scan, and drops no row whatever the collation."""
    key = list(table.primary_key)
    asc, desc = _cols(key), ", ".join(quote(k) + " DESC" for k in key)
    prefix = (
        f"WITH lo AS (SELECT {asc} FROM {quote(stage)} ORDER BY {asc} LIMIT 1), "
        f"hi AS (SELECT {asc} FROM {quote(stage)} ORDER BY {desc} LIMIT 1) "
    )
    row = "ROW(" + _cols(key, "t.") + ")"
    lo = ", ".join(f"(SELECT {quote(k)} FROM lo)" for k in key)
    hi = ", ".join(f"(SELECT {quote(k)} FROM hi)" for k in key)
    return prefix, f" AND {row} >= ROW({lo}) AND {row} <= ROW({hi})"


def count_refreshed(table: Table, stage: str, ranged: bool = False) -> str:
    """Before apply_stage: staged rows with the same values as the stored row and a newer
    version (the update will only move the version).  Counted before the write, so with a
    concurrent writer on the same keys it is a close estimate; the other counts are exact."""
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)
    version = quote(table.version)
    prefix, cond = _in_range(table, stage) if ranged else ("", "")
    return (
        f"{prefix}SELECT count(*) FROM {quote(stage)} AS s JOIN {qualified(table)} AS t ON {join} "
        f"WHERE s.{version}{_collate(table)} > t.{version}{_collate(table)} "
        f'AND s.{quote(HASH_COLUMN)} COLLATE "C" = t.{quote(HASH_COLUMN)} COLLATE "C"{cond}'
    )


def count_equal(table: Table, stage: str, ranged: bool = False) -> str:
    """After apply_stage: how many staged rows the table now holds exactly (same version and
    rank).  Rows we wrote are among them; the rest were unchanged, and any staged row not
    held was stale (something newer, perhaps from a concurrent writer, is there)."""
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)
    prefix, cond = _in_range(table, stage) if ranged else ("", "")
    return (
        f"{prefix}SELECT count(*) FROM {quote(stage)} AS s JOIN {qualified(table)} AS t ON {join} "
        f"WHERE {_rank('s', table)} = {_rank('t', table)}{cond}"
    )


def select_rows(table: Table, where: list[str]) -> str:
    cond = " AND ".join(f"{quote(c)} IS NOT DISTINCT FROM %s" for c in where)
    return (
        f"SELECT {_cols(table.column_names)} FROM {qualified(table)}"
        + (f" WHERE {cond}" if cond else "")
        + f" ORDER BY {_cols(list(table.primary_key))}"
    )


def count_rows(table: Table) -> str:
    return f"SELECT count(*) FROM {qualified(table)}"


def max_value(table: Table, column: str) -> str:
    return f"SELECT max({quote(column)}) FROM {qualified(table)}"
