"""Every SQL statement the SQLite store runs, in one place.

Identifiers are checked and quoted by :func:`fieldhouse.table.quote`; values are always
bound as ``?`` parameters.  A dotted table name ``stats.games`` becomes ``stats_games``.
"""

from __future__ import annotations

from ..table import HASH_COLUMN, Table, quote
from ..types import ColumnType


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


def has_rows(table: Table) -> str:
    return f"SELECT EXISTS (SELECT 1 FROM {qualified(table)})"


STAGE = "_fh_stage"


def create_stage(table: Table) -> str:
    defs = [f"{quote(c)} {type_sql(table.columns[c].type)}" for c in table.content_columns]
    defs.append(f"{quote(HASH_COLUMN)} TEXT")
    return f"CREATE TEMP TABLE {quote(STAGE)} ({', '.join(defs)})"


def drop_stage() -> str:
    return f"DROP TABLE IF EXISTS temp.{quote(STAGE)}"


def fill_stage(table: Table) -> str:
    names = [*table.content_columns, HASH_COLUMN]
    return f"INSERT INTO temp.{quote(STAGE)} ({_cols(names)}) VALUES ({', '.join('?' * len(names))})"


def _key_join(table: Table) -> str:
    return " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)


def _rank(alias: str, table: Table) -> str:
    return f"({alias}.{quote(table.version)}, {alias}.{quote(HASH_COLUMN)})"


def classify(table: Table) -> str:
    """Counts of the staged rows by outcome, against the table as it is now: inserted,
    updated, unchanged, stale, and of the updated those whose values are the same."""
    s, t = _rank("s", table), _rank("t", table)
    first_key = quote(table.primary_key[0])
    return (
        f"SELECT coalesce(sum(t.{first_key} IS NULL), 0), coalesce(sum({s} > {t}), 0), "
        f"coalesce(sum({s} = {t}), 0), coalesce(sum({s} < {t}), 0), "
        f"coalesce(sum(s.{quote(table.version)} > t.{quote(table.version)} "
        f"AND s.{quote(HASH_COLUMN)} = t.{quote(HASH_COLUMN)}), 0) "
        f"FROM temp.{quote(STAGE)} AS s LEFT JOIN {qualified(table)} AS t ON {_key_join(table)}"
    )


def apply_stage(table: Table, mode: str) -> str:
    """One set-based statement: insert new keys; for existing keys overwrite only when the
    staged (version, rank) is greater.  ``?`` binds the written_at time when there is one."""
    names = [*table.content_columns, HASH_COLUMN]
    select = _cols(names)
    if table.written_at:
        names.append(table.written_at)
        select += ", ?"
    head = (
        f"INSERT INTO {qualified(table)} AS t ({_cols(names)}) "
        f"SELECT {select} FROM temp.{quote(STAGE)} WHERE true "
        f"ORDER BY {_cols(list(table.primary_key))} "
        f"ON CONFLICT ({_cols(list(table.primary_key))}) DO "
    )
    if mode == "insert_new":
        return head + "NOTHING"
    updates = ", ".join(f"{quote(c)} = excluded.{quote(c)}" for c in names if c not in table.primary_key)
    return head + f"UPDATE SET {updates} WHERE {_rank('excluded', table)} > {_rank('t', table)}"


def select_rows(table: Table, where: list[str]) -> str:
    cond = " AND ".join(f"{quote(c)} IS ?" for c in where)
    return (
        f"SELECT {_cols(table.column_names)} FROM {qualified(table)}"
        + (f" WHERE {cond}" if cond else "")
        + f" ORDER BY {_cols(list(table.primary_key))}"
    )


def count_rows(table: Table) -> str:
    return f"SELECT count(*) FROM {qualified(table)}"


def max_value(table: Table, column: str) -> str:
    return f"SELECT max({quote(column)}) FROM {qualified(table)}"
