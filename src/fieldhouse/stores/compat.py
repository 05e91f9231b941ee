"""Two shims for features the stores are gaining (SPEC-capabilities.md), so that callers
already use their final form: every call site asks here, and the merge is this file only.

* :func:`capabilities`: ``store.capabilities`` where the store has it; otherwise what
  SQLite and PostgreSQL offer (both stores today).
* :func:`read_rows` / :func:`iter_rows`: bounded reads (``where``, ``columns``,
  ``order_by``, ``limit``).  A store that takes those arguments does the work in SQL;
  for one that does not yet, the same answer is computed here from ``store.rows(table,
  where=...)``.  ``order_by`` is a column or a list of columns, each optionally prefixed
  with ``-`` for descending; NULL sorts first ascending, last descending.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..table import Table


@dataclass(frozen=True)
class _Assumed:
    """What SQLite and PostgreSQL stores support (for a store without ``capabilities``)."""

    transactions: bool = True
    multi_table_transactions: bool = True
    locks: bool = True
    server_side_cursors: bool = False
    snapshots: bool = False
    control: bool = True


_ASSUMED = _Assumed()


def capabilities(store: Any) -> Any:
    """``store.capabilities``, or the capabilities SQLite and PostgreSQL have."""
    return getattr(store, "capabilities", None) or _ASSUMED


def _accepts(method: Any, name: str) -> bool:
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


def _order(rows: list[dict[str, Any]], order_by: str | Sequence[str]) -> list[dict[str, Any]]:
    keys = [order_by] if isinstance(order_by, str) else list(order_by)
    for key in reversed(keys):  # stable sorts, last key first
        descending = key.startswith("-")
        column = key.lstrip("-")
        rows.sort(key=lambda r, c=column: (r[c] is not None, r[c]), reverse=descending)
    return rows


def read_rows(store: Any, table: Table, *, where: Mapping[str, Any] | None = None,
              columns: Sequence[str] | None = None, order_by: str | Sequence[str] | None = None,
              limit: int | None = None) -> list[dict[str, Any]]:
    """``store.rows(table, where=, columns=, order_by=, limit=)``, on any store."""
    if _accepts(store.rows, "order_by"):
        return store.rows(table, where=where, columns=columns, order_by=order_by, limit=limit)
    rows = store.rows(table, where=where or None)
    if order_by:
        rows = _order(rows, order_by)
    if limit is not None:
        rows = rows[:limit]
    if columns is not None:
        rows = [{c: r[c] for c in columns} for r in rows]
    return rows


def iter_rows(store: Any, table: Table, *, where: Mapping[str, Any] | None = None,
              columns: Sequence[str] | None = None, order_by: str | Sequence[str] | None = None,
              limit: int | None = None) -> Iterator[dict[str, Any]]:
    """``store.iter_rows(...)`` (streaming) where the store has it, else :func:`read_rows`."""
    method = getattr(store, "iter_rows", None)
    if method is not None:
        return method(table, where=where, columns=columns, order_by=order_by, limit=limit)
    return iter(read_rows(store, table, where=where, columns=columns, order_by=order_by, limit=limit))
