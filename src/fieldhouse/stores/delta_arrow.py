"""Delta Lake tables as Arrow: the explicit type of each column, batches of rows as Arrow
tables, reads as pyarrow dataset filters, and stored values back to Python.

Types are chosen so that DuckDB, Polars and Spark read what delta-rs writes: int -> int32,
bigint -> int64, float -> float64, decimal(p,s) -> decimal128(p,s) (p <= 38; wider
decimals are kept as their exact text), text and json -> string (never string_view or
large_string in the written schema), bool -> bool, date -> date32, timestamptz ->
timestamp[us, UTC].  The rank goes in ``_fh_hash`` (string), as on the SQL stores.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from ..table import HASH_COLUMN, Table
from ..types import ColumnType, json_text
from .reads import Condition

MAX_DECIMAL128 = 38


def arrow_type(ctype: ColumnType) -> pa.DataType:
    name = ctype.name
    if name == "decimal":
        if (ctype.precision or 0) > MAX_DECIMAL128:
            return pa.string()
        return pa.decimal128(ctype.precision, ctype.scale or 0)
    return {
        "int": pa.int32(), "bigint": pa.int64(), "float": pa.float64(), "text": pa.string(),
        "json": pa.string(), "bool": pa.bool_(), "date": pa.date32(),
        "timestamptz": pa.timestamp("us", tz="UTC"),
    }[name]


def delta_type(ctype: ColumnType) -> str:
    """The Delta schema's name of a column's type (what ``ensure_table`` compares)."""
    t = arrow_type(ctype)
    if pa.types.is_decimal(t):
        return f"decimal({t.precision},{t.scale})"
    return {pa.int32(): "integer", pa.int64(): "long", pa.float64(): "double", pa.string(): "string",
            pa.bool_(): "boolean", pa.date32(): "date"}.get(t, "timestamp")


def schema(table: Table) -> pa.Schema:
    fields = [pa.field(c, arrow_type(spec.type), nullable=True) for c, spec in table.columns.items()]
    return pa.schema([*fields, pa.field(HASH_COLUMN, pa.string(), nullable=True)])


def _to_arrow_value(ctype: ColumnType) -> Callable[[Any], Any] | None:
    if ctype.name == "json":
        return json_text
    if ctype.name == "decimal" and (ctype.precision or 0) > MAX_DECIMAL128:
        return str
    return None


def to_arrow(table: Table, rows: Sequence[tuple[Any, ...]], written_at: datetime | None) -> pa.Table:
    """``rows`` (cast values in content-column order, then the rank) as an Arrow table of
    the table's schema; ``written_at`` fills the table's written_at column."""
    content = table.content_columns
    arrays = []
    for name, spec in table.columns.items():
        atype = arrow_type(spec.type)
        if name == table.written_at:
            arrays.append(pa.array([written_at] * len(rows), type=atype))
            continue
        i = content.index(name)
        conv = _to_arrow_value(spec.type)
        values = [r[i] for r in rows] if conv is None else [None if r[i] is None else conv(r[i]) for r in rows]
        arrays.append(pa.array(values, type=atype))
    arrays.append(pa.array([r[-1] for r in rows], type=pa.string()))
    return pa.Table.from_arrays(arrays, schema=schema(table))


def dataset(dt: Any) -> ds.Dataset:
    """The Arrow dataset of a Delta table at its loaded version, with plain string types
    (delta-rs reads text as string_view, which pyarrow's compute kernels do not mix)."""
    found = dt.to_pyarrow_dataset()
    plain = pa.schema([f.with_type(pa.string()) if f.type == pa.string_view() else f for f in found.schema])
    return found if plain == found.schema else dt.to_pyarrow_dataset(schema=plain)


def read(dataset_: ds.Dataset, columns: Sequence[str] | None, expr: ds.Expression | None) -> pa.Table:
    """The rows of ``dataset_`` meeting ``expr`` (only ``columns``).  The filter is pushed
    down to the files (statistics prune row groups) unless pyarrow cannot compare the
    files' own string_view statistics with it; then it is applied after the read."""
    try:
        return dataset_.to_table(columns=columns, filter=expr)
    except pa.ArrowNotImplementedError:
        names = list(columns) if columns is not None else dataset_.schema.names
        text = str(expr)
        extra = [n for n in dataset_.schema.names if n not in names and re.search(rf"\b{n}\b", text)]
        data = dataset_.to_table(columns=[*names, *extra])
        data = data.cast(pa.schema([dataset_.schema.field(n) for n in data.column_names]))
        return data.filter(expr).select(names) if expr is not None else data


def reader(ctype: ColumnType) -> Callable[[Any], Any] | None:
    """Stored (Arrow -> Python) value to the value fieldhouse reads return."""
    if ctype.name == "json":
        return lambda v: json.loads(v) if isinstance(v, str) else v
    if ctype.name == "timestamptz":
        return lambda v: v.astimezone(UTC) if v.tzinfo is not None else v.replace(tzinfo=UTC)
    if ctype.name == "decimal":
        q = Decimal(1).scaleb(-(ctype.scale or 0))
        return lambda v: Decimal(str(v)).quantize(q)
    if ctype.name == "float":
        return float
    return None


def scalar(table: Table, column: str, value: Any) -> pa.Scalar:
    ctype = table.columns[column].type
    conv = _to_arrow_value(ctype)
    return pa.scalar(value if conv is None else conv(value), type=arrow_type(ctype))


def condition(table: Table, cond: Condition) -> ds.Expression:
    """One read condition (see :mod:`fieldhouse.stores.reads`) as a dataset expression,
    with the same NULL rules as the SQL stores."""
    col = ds.field(cond.column)
    op, value = cond.op, cond.value
    if op in ("=", "!=") and value is None:
        return col.is_null() if op == "=" else col.is_valid()
    if op == "=":
        return col == scalar(table, cond.column, value)
    if op == "!=":
        return (col != scalar(table, cond.column, value)) | col.is_null()
    if op in ("in", "not in"):
        members = [v for v in value if v is not None]
        has_null = len(members) != len(value)
        atype = arrow_type(table.columns[cond.column].type)
        conv = _to_arrow_value(table.columns[cond.column].type)
        arr = pa.array(members if conv is None else [conv(v) for v in members], type=atype)
        inside = col.isin(arr)
        if op == "in":
            return (inside | col.is_null()) if has_null else (inside & col.is_valid())
        return (~inside & col.is_valid()) if has_null else (~inside | col.is_null())
    if op == "startswith":
        return pc.starts_with(col, pattern=value)
    s = scalar(table, cond.column, value)
    return {"<": col < s, "<=": col <= s, ">": col > s, ">=": col >= s}[op]


def where(table: Table, conditions: Sequence[Condition]) -> ds.Expression | None:
    expr = None
    for cond in conditions:
        part = condition(table, cond)
        expr = part if expr is None else expr & part
    return expr


def sort(data: pa.Table, order: Sequence[tuple[str, bool]]) -> pa.Table:
    """Sort with NULL before every value ascending and after every value descending (the
    order of the SQL stores), by a not-NULL flag ahead of each column."""
    if data.num_rows <= 1:
        return data
    keys = []
    for i, (column, desc) in enumerate(order):
        flag = f"__fh_valid_{i}"
        data = data.append_column(flag, pc.is_valid(data[column]))
        keys += [(flag, "descending" if desc else "ascending"), (column, "descending" if desc else "ascending")]
    data = data.sort_by(keys)
    return data.select([c for c in data.column_names if not c.startswith("__fh_valid_")])


def isin(column: str, values: Sequence[Any], atype: pa.DataType) -> ds.Expression:
    return ds.field(column).isin(pa.array(list(values), type=atype))
