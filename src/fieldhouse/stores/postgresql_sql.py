"""Every SQL statement the PostgreSQL store runs, in one place.

Identifiers are checked and quoted by :func:`fieldhouse.table.quote`; values are always
bound (``%s``) or streamed through COPY.  Version and rank comparisons use the "C"
collation so that text compares by code point, exactly as the batch resolution in Python
does, whatever the database's default collation.
"""

from __future__ import annotations

from ..errors import SchemaError
from ..table import HASH_COLUMN, Table, quote
from ..types import ColumnType
from .rank import rank_columns
from .reads import Condition, Select

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


def create_index(table: Table, columns: tuple[str, ...]) -> str:
    """An index on ``columns`` (a parent key that is not a prefix of the primary key)."""
    name = f"{table.base_name}__{'_'.join(columns)}_idx"[:63]
    return f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {qualified(table)} ({_cols(list(columns))})"


RERANK = "_fh_rerank"


def lock_for_rerank(table: Table) -> str:
    """Readers go on; writers wait until the ranks are recomputed and committed."""
    return f"LOCK TABLE {qualified(table)} IN EXCLUSIVE MODE"


def create_rerank(table: Table) -> str:
    """The recomputed rank of each key (ensure_table after a rank version change)."""
    defs = [f"{quote(k)} {type_sql(table.columns[k].type)}" for k in table.primary_key]
    return f"CREATE TEMP TABLE {quote(RERANK)} ({', '.join(defs)}, {quote(HASH_COLUMN)} text) ON COMMIT DROP"


def copy_rerank(table: Table) -> str:
    return f"COPY {quote(RERANK)} ({_cols([*table.primary_key, HASH_COLUMN])}) FROM STDIN (FORMAT BINARY)"


def rerank_types(table: Table) -> list[str]:
    return [*(_COPY_TYPE[table.columns[k].type.name] for k in table.primary_key), "text"]


def apply_rerank(table: Table) -> str:
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)
    return (
        f"UPDATE {qualified(table)} AS t SET {quote(HASH_COLUMN)} = s.{quote(HASH_COLUMN)} "
        f"FROM {quote(RERANK)} AS s WHERE {join} AND t.{quote(HASH_COLUMN)} IS DISTINCT FROM s.{quote(HASH_COLUMN)}"
    )


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


def key_order(table: Table, prefix: str = "") -> str:
    """The key as an ORDER BY list, text compared as "C" (code points): the order Python
    sorts keys in, so chunks of a batch sorted in Python take row locks in this order too."""
    return ", ".join(
        prefix + quote(k) + (' COLLATE "C"' if table.columns[k].type.name == "text" else "") for k in table.primary_key
    )


def apply_stage(table: Table, stage: str, mode: str) -> str:
    """Insert new keys and overwrite existing ones only where the staged (version, rank) is
    greater (mode ``upsert``), never (``insert_new``) or wherever it differs (``replace``:
    the rows of a newer snapshot of their parent, whose marker this transaction has
    locked); rows are taken in key order (:func:`key_order`) so concurrent writers lock
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
        compare = "IS DISTINCT FROM" if mode == "replace" else ">"
        body = head + f"UPDATE SET {updates} WHERE {_rank('EXCLUDED', table)} {compare} {_rank('t', table)}"
    return (
        f"WITH w AS ({body} RETURNING (t.xmax = 0) AS fresh) "
        "SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM w"
    )


# -- snapshots (docs/upsert.md) --------------------------------------------------------

def lock_markers(markers: Table, stage: str) -> str:
    """After the markers' upsert: lock the stored marker of every staged parent, in key
    order.  The upsert's ON CONFLICT locks them already; this makes the lock the rule of
    the snapshot path whatever the upsert statement becomes."""
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in markers.primary_key)
    return (
        f"SELECT 1 FROM {qualified(markers)} AS t JOIN {quote(stage)} AS s ON {join} "
        f"ORDER BY {key_order(markers, 't.')} FOR UPDATE OF t"
    )


def keep_current_markers(markers: Table, stage: str) -> str:
    """Drop from the marker stage every parent whose stored marker is not now exactly the
    staged one (a newer snapshot is stored): what stays are the parents to apply."""
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in markers.primary_key)
    return (
        f"DELETE FROM {quote(stage)} AS s WHERE NOT EXISTS (SELECT 1 FROM {qualified(markers)} AS t "
        f"WHERE {join} AND {_rank('t', markers)} = {_rank('s', markers)})"
    )


def _parent_match(table: Table, alias: str) -> str:
    return " AND ".join(f"m.{quote(k)} = {alias}.{quote(k)}" for k in table.parent_key or ())


def drop_stale_rows(table: Table, stage: str, marker_stage: str) -> str:
    """Drop from the stage the rows of parents that are not applied (they are stale)."""
    return (
        f"DELETE FROM {quote(stage)} AS s WHERE NOT EXISTS (SELECT 1 FROM {quote(marker_stage)} AS m "
        f"WHERE {_parent_match(table, 's')})"
    )


def delete_replaced(table: Table, stage: str, marker_stage: str) -> str:
    """Delete the stored rows of the applied parents that their snapshot no longer holds."""
    keys = " AND ".join(f"s.{quote(k)} = t.{quote(k)}" for k in table.primary_key)
    return (
        f"DELETE FROM {qualified(table)} AS t USING {quote(marker_stage)} AS m WHERE {_parent_match(table, 't')} "
        f"AND NOT EXISTS (SELECT 1 FROM {quote(stage)} AS s WHERE {keys})"
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


def stage_bounds(table: Table, stage: str) -> str:
    """The least and greatest value of the stage's first key column, in the column's own
    collation (the primary key index's order): the key bounds bound by :func:`classify`
    and :func:`write_new_or_newer` for a stage holding one chunk of a batch."""
    first = quote(table.primary_key[0])
    return f"SELECT min({first}), max({first}) FROM {quote(stage)}"


def _bounded(table: Table, ranged: bool, alias: str = "t") -> str:
    first = f"{alias}.{quote(table.primary_key[0])}"
    return f" AND {first} >= %s AND {first} <= %s" if ranged else ""


def classify(table: Table, stage: str, ranged: bool = False) -> str:
    """Classify first: one join of the stage to the table, nothing written or locked.
    Returns one row: (new, newer, same, older, refreshed), the staged rows whose key the
    table does not hold, whose (version, rank) is greater, equal, less than the stored
    row's, and of the newer those with the stored rank (same values, a newer version).
    ``ranged``: bound the key bounds of :func:`stage_bounds` (an index range scan)."""
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)
    s, t, version = _rank("s", table), _rank("t", table), quote(table.version)
    return (
        f"SELECT count(*) FILTER (WHERE t.{quote(table.primary_key[0])} IS NULL), "
        f"count(*) FILTER (WHERE {s} > {t}), count(*) FILTER (WHERE {s} = {t}), "
        f"count(*) FILTER (WHERE {s} < {t}), "
        f"count(*) FILTER (WHERE s.{version}{_collate(table)} > t.{version}{_collate(table)} "
        f'AND s.{quote(HASH_COLUMN)} COLLATE "C" = t.{quote(HASH_COLUMN)} COLLATE "C") '
        f"FROM {quote(stage)} AS s LEFT JOIN {qualified(table)} AS t ON {join}{_bounded(table, ranged)}"
    )


def write_new_or_newer(table: Table, stage: str, ranged: bool = False) -> str:
    """After :func:`classify`: send only the staged rows that are new or newer than the
    stored row to INSERT ... ON CONFLICT (which still decides, against rows a concurrent
    writer may have written since), in key order.  Identical and older rows are never
    touched, so an identical re-run writes no heap page.  Bound: written_at if the table
    has one, then the key bounds if ``ranged``.  Returns one row: (inserted, updated)."""
    names = [*table.content_columns, HASH_COLUMN]
    select = _cols(names, "s.")
    if table.written_at:
        names.append(table.written_at)
        select += ", %s::timestamptz"
    key = _cols(list(table.primary_key))
    join = " AND ".join(f"o.{quote(k)} = s.{quote(k)}" for k in table.primary_key)
    updates = ", ".join(f"{quote(c)} = EXCLUDED.{quote(c)}" for c in names if c not in table.primary_key)
    body = (
        f"INSERT INTO {qualified(table)} AS t ({_cols(names)}) "
        f"SELECT {select} FROM {quote(stage)} AS s LEFT JOIN {qualified(table)} AS o ON {join}"
        f"{_bounded(table, ranged, 'o')} "
        f"WHERE o.{quote(table.primary_key[0])} IS NULL OR {_rank('s', table)} > {_rank('o', table)} "
        f"ORDER BY {key_order(table, 's.')} "
        f"ON CONFLICT ({key}) DO UPDATE SET {updates} WHERE {_rank('EXCLUDED', table)} > {_rank('t', table)}"
    )
    return (
        f"WITH w AS ({body} RETURNING (t.xmax = 0) AS fresh) "
        "SELECT count(*) FILTER (WHERE fresh), count(*) FILTER (WHERE NOT fresh) FROM w"
    )


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


def sample_stale(table: Table, stage: str, ranged: bool = False) -> str:
    """After apply_stage: up to ``%s`` staged rows the table does not hold exactly (stale),
    in key order: the key values, the staged version, the stored version."""
    join = " AND ".join(f"t.{quote(k)} = s.{quote(k)}" for k in table.primary_key)
    prefix, cond = _in_range(table, stage) if ranged else ("", "")
    version = quote(table.version)
    return (
        f"{prefix}SELECT {_cols(list(table.primary_key), 's.')}, s.{version}, t.{version} "
        f"FROM {quote(stage)} AS s JOIN {qualified(table)} AS t ON {join} "
        f"WHERE {_rank('s', table)} <> {_rank('t', table)}{cond} ORDER BY {key_order(table, 's.')} LIMIT %s"
    )


def sample_stale_snapshots(table: Table, markers: Table, stage: str, marker_stage: str) -> str:
    """Before :func:`drop_stale_rows`: up to ``%s`` staged rows of parents that are not
    applied, in key order: the key values, the row's version, the stored marker's version."""
    version = quote(table.version)
    return (
        f"SELECT {_cols(list(table.primary_key), 's.')}, s.{version}, m.{version} "
        f"FROM {quote(stage)} AS s JOIN {qualified(markers)} AS m ON {_parent_match(table, 's')} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {quote(marker_stage)} AS ms WHERE "
        + " AND ".join(f"ms.{quote(k)} = s.{quote(k)}" for k in table.parent_key or ())
        + f") ORDER BY {key_order(table, 's.')} LIMIT %s"
    )


def _text(table: Table, column: str) -> str:
    """The column, compared as "C" (code points) if it is text."""
    return quote(column) + (' COLLATE "C"' if table.columns[column].type.name == "text" else "")


def _condition(table: Table, cond: Condition) -> str:
    """One condition of :mod:`fieldhouse.stores.reads`, with ``%s`` where
    :func:`~fieldhouse.stores.reads.placeholders` binds a value.  Equality with a value
    is a plain ``=`` so that an index serves it."""
    col, op, value = quote(cond.column), cond.op, cond.value
    if op == "=":
        return f"{col} IS NULL" if value is None else f"{col} = %s"
    if op == "!=":
        return f"{col} IS NOT NULL" if value is None else f"{col} IS DISTINCT FROM %s"
    if op == "startswith":
        return f"substr({col}, 1, %s) = %s"
    if op in ("in", "not in"):
        members = [v for v in value if v is not None]
        inner = f"{col} IN ({', '.join(['%s'] * len(members))})" if members else "false"
        has_null = len(members) != len(value)
        if op == "in":
            return f"({inner} OR {col} IS NULL)" if has_null else f"({inner})"
        return f"({col} IS NOT NULL AND NOT {inner})" if has_null else f"({col} IS NULL OR NOT {inner})"
    return f"{_text(table, cond.column)} {op} %s"


def _where(table: Table, conditions: list[Condition]) -> str:
    return (" WHERE " + " AND ".join(_condition(table, c) for c in conditions)) if conditions else ""


def _order(table: Table, column: str, desc: bool) -> str:
    nulls = (" NULLS LAST" if desc else " NULLS FIRST") if table.columns[column].nullable else ""
    return _text(table, column) + (" DESC" if desc else "") + nulls


def select(table: Table, sel: Select) -> str:
    """The read ``sel``: its conditions' parameters, then the limit's if it has one.  Text
    is ordered as "C" and NULL first, as SQLite orders them."""
    order = ", ".join(_order(table, c, desc) for c, desc in sel.order)
    return (
        f"SELECT {_cols(sel.columns)} FROM {qualified(table)}{_where(table, sel.conditions)} ORDER BY {order}"
        + (" LIMIT %s" if sel.limit is not None else "")
    )


def count_rows(table: Table, conditions: list[Condition]) -> str:
    return f"SELECT count(*) FROM {qualified(table)}{_where(table, conditions)}"


def max_value(table: Table, column: str, conditions: list[Condition]) -> str:
    return f"SELECT max({_text(table, column)}) FROM {qualified(table)}{_where(table, conditions)}"


def delete_rows(table: Table, conditions: list[Condition]) -> str:
    return f"DELETE FROM {qualified(table)}{_where(table, conditions)}"


# -- the portable rank, computed in SQL (docs/upsert.md, "The rank") ---------------------

def _bytea(data: bytes) -> str:
    return f"'\\x{data.hex()}'::bytea"


def _rank_value(column: str, kind: str) -> str:
    """SQL of ``u32(len(value)) value`` for a non-NULL value of the column."""
    col = quote(column)
    if kind in ("int", "bigint"):
        return f"{_bytea(bytes.fromhex('00000008'))} || int8send({col}::bigint)"
    if kind == "float":  # + 0.0 turns -0.0 into 0.0; float8send gives a NaN as 7ff8000000000000
        return f"{_bytea(bytes.fromhex('00000008'))} || float8send({col} + 0.0::float8)"
    if kind == "bool":
        return f"{_bytea(bytes.fromhex('00000001'))} || CASE WHEN {col} THEN '\\x01'::bytea ELSE '\\x00'::bytea END"
    if kind == "date":
        return f"{_bytea(bytes.fromhex('00000008'))} || int8send(({col} - DATE '1970-01-01')::bigint)"
    if kind == "timestamptz":  # EXTRACT(EPOCH ...) is numeric: exact to the microsecond
        return f"{_bytea(bytes.fromhex('00000008'))} || int8send((EXTRACT(EPOCH FROM {col}) * 1000000)::bigint)"
    text = f"convert_to({col}::text, 'UTF8')"  # numeric(p,s)::text has exactly s decimals
    return f"int4send(octet_length({text})) || {text}"


def rank_expression(table: Table) -> str:
    """An SQL expression computing the rank of a row of ``table`` (its columns unqualified),
    equal to what :mod:`fieldhouse.stores.rank` computes: for computing ranks in the
    database.  Not for tables with a json content column (jsonb's text form is not the
    canonical JSON text); SchemaError there."""
    columns = rank_columns(table)
    if any(table.columns[c].type.name == "json" for c in columns):
        raise SchemaError(f"table {table.name}: the rank of a json column cannot be computed in SQL")
    parts, counts = [], []
    for c in columns:
        name = c.encode("utf-8")
        head = _bytea(len(name).to_bytes(4, "big") + name)
        parts.append(f"CASE WHEN {quote(c)} IS NULL THEN ''::bytea ELSE {head} || "
                     f"{_rank_value(c, table.columns[c].type.name)} END")
        counts.append(f"CASE WHEN {quote(c)} IS NULL THEN 0 ELSE 1 END")
    encoding = " || ".join(parts) or "''::bytea"
    return (f"lpad(({' + '.join(counts) or '0'})::text, 4, '0') || "
            f"left(encode(sha256({encoding}), 'hex'), 32)")
