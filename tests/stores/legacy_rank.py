"""The rank of fieldhouse 0.1 (rank version 1), to write tables as that release did: BLAKE2b
over Python's text form of the values (repr of floats among them), joined with \\x1f."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from hashlib import blake2b
from typing import Any

import fieldhouse


def _text(value: Any, kind: str) -> str:
    if kind == "json":
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if type(value) is str:
        return value
    if type(value) is bool:
        return "t" if value else "f"
    if type(value) is int:
        return str(value)
    if type(value) is float:
        return repr(value)
    if type(value) is Decimal:
        return str(value)
    if type(value) is datetime:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    if type(value) is date:
        return value.isoformat()
    raise TypeError(type(value))


def rank_v1(table: fieldhouse.Table, values: dict[str, Any]) -> str:
    parts: list[str] = []
    for col in table.content_columns:
        value = values.get(col)
        if col == table.version or value is None:
            continue
        parts += [col, _text(value, table.columns[col].type.name)]
    return f"{len(parts) // 2:04d}" + blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def downgrade(store, table: fieldhouse.Table) -> None:
    """Make ``table`` look written by 0.1: every stored rank recomputed the old way, and no
    catalog entry (0.1 had no catalog)."""
    from fieldhouse.stores.catalog import CATALOG

    qualified = f'"{table.schema}"."{table.base_name}"' if store.dialect == "postgresql" and table.schema else \
        f'"{table.name.replace(".", "_")}"'
    mark = "%s" if store.dialect == "postgresql" else "?"
    key = " AND ".join(f'"{k}" = {mark}' for k in table.primary_key)
    with store.transaction():
        for row in store.rows(table):
            store.conn.execute(f'UPDATE {qualified} SET "_fh_hash" = {mark} WHERE {key}',
                               (rank_v1(table, row), *(row[k] for k in table.primary_key)))
        store.conn.execute(f'DELETE FROM "{CATALOG.name}" WHERE name = {mark}', (table.name,))
