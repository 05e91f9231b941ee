"""Every SQL statement the SQLite store runs, in one place.

Identifiers are checked and quoted by :func:`fieldhouse.table.quote`; values are always
bound as ``?`` parameters.  A dotted table name ``stats.games`` becomes ``stats_games``.
"""

from __future__ import annotations

from ..table import HASH_COLUMN, Table, quote
from ..types import ColumnType
from .reads import Condition, Select


def type_sql(ctype: ColumnType) -> str:
    """Declared types: they keep the fieldhouse type visible in PRAGMA table_info and give
    the column the right affinity (numbers as numbers, dates and timestamps as ISO text)."""
    if ctype.name == "decimal":
        return f"NUMERIC({ctype.precision},{ctype.scale})"
    return {
        "int": "INTEGER",
        "bigint": "BIGINT",
        "float": "DOUBLE",
        "text": "TEXT",
        "bool": "BOOLEAN",
        "date": "DATE",
        "timestamptz": "TIMESTAMPTZ",
        "json": "JSON_TEXT",
    }[ctype.name]


def table_name(table: Table) -> str:
    return f"{table.schema}_{table.base_name}" if table.schema else table.base_name


def qualified(table: Table) -> str:
    return "main." + quote(table_name(table))


def _cols(names: list[str], prefix: str = "") -> str:
    return ", ".join(prefix + quote(n) for n in names)


def create_table(table: Table) -> str:
    defs = [
        f"{quote(c)} {type_sql(col.type)}{'' if col.nullable else ' NOT NULL'}"
        for c, col in table.columns.items()
    ]
    defs.append(f"{quote(HASH_COLUMN)} TEXT NOT NULL")
    defs.append(f"PRIMARY KEY ({_cols(list(table.primary_key))})")
    return f"CREATE TABLE IF NOT EXISTS {qualified(table)} (\n  " + ",\n  ".join(defs) + "\n)"


def add_column(table: Table, column: str) -> str:
    return f"ALTER TABLE {qualified(table)} ADD COLUMN {quote(column)} {type_sql(table.columns[column].type)}"


def describe(table: Table) -> str:
    return f"PRAGMA main.table_info({quote(table_name(table))})"


def create_index(table: Table, columns: tuple[str, ...]) -> str:
    """An index on ``columns`` (a parent key that is not a prefix of the primary key)."""
    name = f"{table_name(table)}__{'_'.join(columns)}_idx"[:63]
    return f"CREATE INDEX IF NOT EXISTS main.{quote(name)} ON {quote(table_name(table))} ({_cols(list(columns))})"


RERANK = "_fh_rerank"


def create_rerank(table: Table) -> str:
    """The recomputed rank of each key (ensure_table after a rank version change)."""
    defs = [f"{quote(k)} {type_sql(table.columns[k].type)}" for k in table.primary_key]
    return (f"CREATE TEMP TABLE {quote(RERANK)} ({', '.join(defs)}, {quote(HASH_COLUMN)} TEXT, "
            f"PRIMARY KEY ({_cols(list(table.primary_key))}))")


def drop_rerank() -> str:
    return f"DROP TABLE IF EXISTS temp.{quote(RERANK)}"


def fill_rerank(table: Table) -> str:
    names = [*table.primary_key, HASH_COLUMN]
    return f"INSERT INTO temp.{quote(RERANK)} ({_cols(names)}) VALUES ({', '.join('?' * len(names))})"


def apply_rerank(table: Table) -> str:
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)
    return (
        f"UPDATE {qualified(table)} AS t SET {quote(HASH_COLUMN)} = s.{quote(HASH_COLUMN)} "
        f"FROM temp.{quote(RERANK)} AS s WHERE {join} AND t.{quote(HASH_COLUMN)} IS NOT s.{quote(HASH_COLUMN)}"
    )


STAGE = "_fh_stage"
MARKER_STAGE = "_fh_markers"


def create_stage(table: Table, stage: str = STAGE) -> str:
    defs = [f"{quote(c)} {type_sql(table.columns[c].type)}" for c in table.content_columns]
    defs.append(f"{quote(HASH_COLUMN)} TEXT")
    return f"CREATE TEMP TABLE {quote(stage)} ({', '.join(defs)})"


def drop_stage(stage: str = STAGE) -> str:
    return f"DROP TABLE IF EXISTS temp.{quote(stage)}"


def fill_stage(table: Table, stage: str = STAGE) -> str:
    names = [*table.content_columns, HASH_COLUMN]
    return f"INSERT INTO temp.{quote(stage)} ({_cols(names)}) VALUES ({', '.join('?' * len(names))})"


KEY_STAGE = "_fh_keys"


def create_key_stage(table: Table) -> str:
    """A narrow stage: the key, the version and the rank of each row (what classifying
    needs); the rows themselves go straight to :func:`upsert_rows`."""
    names = [*table.primary_key, table.version]
    defs = [f"{quote(c)} {type_sql(table.columns[c].type)}" for c in names]
    return f"CREATE TEMP TABLE {quote(KEY_STAGE)} ({', '.join(defs)}, {quote(HASH_COLUMN)} TEXT)"


def fill_key_stage(table: Table) -> str:
    names = [*table.primary_key, table.version, HASH_COLUMN]
    return f"INSERT INTO temp.{quote(KEY_STAGE)} ({_cols(names)}) VALUES ({', '.join('?' * len(names))})"


def upsert_rows(table: Table, mode: str) -> str:
    """One row at a time (executemany): insert a new key; for an existing one overwrite
    only when the row's (version, rank) is greater (``upsert``) or never (``insert_new``).
    The written_at time is the last parameter when the table has one."""
    names = [*table.content_columns, HASH_COLUMN, *([table.written_at] if table.written_at else [])]
    head = (f"INSERT INTO {qualified(table)} AS t ({_cols(names)}) VALUES ({', '.join('?' * len(names))}) "
            f"ON CONFLICT ({_cols(list(table.primary_key))}) DO ")
    if mode == "insert_new":
        return head + "NOTHING"
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in names if c not in table.primary_key)
    return head + f"UPDATE SET {updates} WHERE {_rank('excluded', table)} > {_rank('t', table)}"


def _key_join(table: Table) -> str:
    return " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)


def _rank(alias: str, table: Table) -> str:
    return f"({alias}.{quote(table.version)}, {alias}.{quote(HASH_COLUMN)})"


def classify(table: Table, stage: str = STAGE) -> str:
    """Counts of the staged rows by outcome, against the table as it is now: inserted,
    updated, unchanged, stale, and of the updated those whose values are the same."""
    s, t = _rank("s", table), _rank("t", table)
    first_key = quote(table.primary_key[0])
    return (
        f"SELECT coalesce(sum(t.{first_key} IS NULL), 0), coalesce(sum({s} > {t}), 0), "
        f"coalesce(sum({s} = {t}), 0), coalesce(sum({s} < {t}), 0), "
        f"coalesce(sum(s.{quote(table.version)} > t.{quote(table.version)} "
        f"AND s.{quote(HASH_COLUMN)} = t.{quote(HASH_COLUMN)}), 0) "
        f"FROM temp.{quote(stage)} AS s LEFT JOIN {qualified(table)} AS t ON {_key_join(table)}"
    )


def sample_stale(table: Table, stage: str = STAGE) -> str:
    """Up to ``?`` staged rows older than the stored row of their key, in key order: the
    key values, the staged version, the stored version (the conflict sample)."""
    keys, version = _cols(list(table.primary_key), "s."), quote(table.version)
    return (
        f"SELECT {keys}, s.{version}, t.{version} FROM temp.{quote(stage)} AS s "
        f"JOIN {qualified(table)} AS t ON {_key_join(table)} WHERE {_rank('s', table)} < {_rank('t', table)} "
        f"ORDER BY {keys} LIMIT ?"
    )


def apply_stage(table: Table, mode: str, stage: str = STAGE) -> str:
    """One set-based statement: insert new keys; for existing keys overwrite only when the
    staged (version, rank) is greater (mode ``upsert``), never (``insert_new``) or whenever
    it differs (``replace``: the rows of a newer snapshot of their parent).  ``?`` binds the
    written_at time when there is one."""
    names = [*table.content_columns, HASH_COLUMN]
    select = _cols(names)
    if table.written_at:
        names.append(table.written_at)
        select += ", ?"
    head = (
        f"INSERT INTO {qualified(table)} AS t ({_cols(names)}) "
        f"SELECT {select} FROM temp.{quote(stage)} WHERE true "
        f"ORDER BY {_cols(list(table.primary_key))} "
        f"ON CONFLICT ({_cols(list(table.primary_key))}) DO "
    )
    if mode == "insert_new":
        return head + "NOTHING"
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in names if c not in table.primary_key)
    compare = "IS NOT" if mode == "replace" else ">"
    return head + f"UPDATE SET {updates} WHERE {_rank('excluded', table)} {compare} {_rank('t', table)}"


# -- snapshots (docs/upsert.md): the markers are upserted from MARKER_STAGE, the parent's rows
# from STAGE; the writer holds the database's write lock, so nothing changes in between.

def keep_current_markers(markers: Table) -> str:
    """Drop from the marker stage every parent whose stored marker is not now exactly the
    staged one (a newer snapshot is stored): what stays are the parents to apply."""
    return (
        f"DELETE FROM temp.{quote(MARKER_STAGE)} AS s WHERE NOT EXISTS (SELECT 1 FROM {qualified(markers)} AS t "
        f"WHERE {_key_join(markers)} AND {_rank('t', markers)} = {_rank('s', markers)})"
    )


def _parent_match(table: Table, alias: str) -> str:
    return " AND ".join(f"m.{quote(k)} = {alias}.{quote(k)}" for k in table.parent_key or ())


def sample_stale_snapshots(table: Table, markers: Table) -> str:
    """Before :func:`drop_stale_rows`: up to ``?`` staged rows of parents that are not
    applied, in key order: the key values, the row's version, the stored marker's version."""
    keys, version = _cols(list(table.primary_key), "s."), quote(table.version)
    return (
        f"SELECT {keys}, s.{version}, m.{version} FROM temp.{quote(STAGE)} AS s "
        f"JOIN {qualified(markers)} AS m ON {_parent_match(table, 's')} "
        f"WHERE NOT EXISTS (SELECT 1 FROM temp.{quote(MARKER_STAGE)} AS ms WHERE "
        + " AND ".join(f"ms.{quote(k)} = s.{quote(k)}" for k in table.parent_key or ())
        + f") ORDER BY {keys} LIMIT ?"
    )


def drop_stale_rows(table: Table) -> str:
    """Drop from the stage the rows of parents that are not applied (they are stale)."""
    return (
        f"DELETE FROM temp.{quote(STAGE)} WHERE NOT EXISTS (SELECT 1 FROM temp.{quote(MARKER_STAGE)} AS m "
        f"WHERE {_parent_match(table, quote(STAGE))})"
    )


def delete_replaced(table: Table) -> str:
    """Delete the stored rows of the applied parents that their snapshot no longer holds."""
    target = quote(table_name(table))
    keys = " AND ".join(f"s.{quote(k)} = {target}.{quote(k)}" for k in table.primary_key)
    return (
        f"DELETE FROM {qualified(table)} WHERE EXISTS (SELECT 1 FROM temp.{quote(MARKER_STAGE)} AS m "
        f"WHERE {_parent_match(table, target)}) "
        f"AND NOT EXISTS (SELECT 1 FROM temp.{quote(STAGE)} AS s WHERE {keys})"
    )


def _condition(cond: Condition) -> str:
    """One condition of :mod:`fieldhouse.stores.reads`, with ``?`` where
    :func:`~fieldhouse.stores.reads.placeholders` binds a value."""
    col, op, value = quote(cond.column), cond.op, cond.value
    if op == "=":
        return f"{col} IS NULL" if value is None else f"{col} = ?"
    if op == "!=":
        return f"{col} IS NOT NULL" if value is None else f"{col} IS NOT ?"
    if op == "startswith":
        return f"substr({col}, 1, ?) = ?"
    if op in ("in", "not in"):
        members = [v for v in value if v is not None]
        inner = f"{col} IN ({', '.join('?' * len(members))})" if members else "0"
        has_null = len(members) != len(value)
        if op == "in":
            return f"({inner} OR {col} IS NULL)" if has_null else f"({inner})"
        return f"({col} IS NOT NULL AND NOT {inner})" if has_null else f"({col} IS NULL OR NOT {inner})"
    return f"{col} {op} ?"


def _where(conditions: list[Condition]) -> str:
    return (" WHERE " + " AND ".join(_condition(c) for c in conditions)) if conditions else ""


def select(table: Table, sel: Select) -> str:
    """The read ``sel``: its conditions' parameters, then the limit's if it has one.  NULL
    is the least value in SQLite, as the order of :mod:`~fieldhouse.stores.reads` wants."""
    order = ", ".join(quote(c) + (" DESC" if desc else "") for c, desc in sel.order)
    return (
        f"SELECT {_cols(sel.columns)} FROM {qualified(table)}{_where(sel.conditions)} ORDER BY {order}"
        + (" LIMIT ?" if sel.limit is not None else "")
    )


def count_rows(table: Table, conditions: list[Condition]) -> str:
    return f"SELECT count(*) FROM {qualified(table)}{_where(conditions)}"


def max_value(table: Table, column: str, conditions: list[Condition]) -> str:
    return f"SELECT max({quote(column)}) FROM {qualified(table)}{_where(conditions)}"


def delete_rows(table: Table, conditions: list[Condition]) -> str:
    return f"DELETE FROM {qualified(table)}{_where(conditions)}"
