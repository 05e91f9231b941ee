"""How filled each column of the rows a unit gives the data store is: per table the rows
and, per column, the non-NULL values among them, counted as the rows flow to ``upsert``
(one pass, no copy).  The ledger keeps it per unit and per run (``filled``); the
schema_drift alert compares it across runs (a column an API stopped sending comes back
NULL for most rows)."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..table import Table


class FillCounts:
    """``{table: {"rows": n, "columns": {column: non-NULL values}}}``, counted as rows pass."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[str, Any]] = {}

    def _slot(self, table: Table) -> tuple[dict[str, Any], list[str]]:
        slot = self.tables.setdefault(table.name, {"rows": 0, "columns": dict.fromkeys(table.columns, 0)})
        return slot, list(table.columns)

    def _add(self, slot: dict[str, Any], names: list[str], row: Mapping[str, Any]) -> None:
        slot["rows"] += 1
        filled = slot["columns"]
        for name in names:
            if row.get(name) is not None:
                filled[name] = filled.get(name, 0) + 1

    def count(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
        """``rows`` as they were (a sequence counted at once, anything else as it streams)."""
        slot, names = self._slot(table)
        if isinstance(rows, Sequence):
            for row in rows:
                if isinstance(row, Mapping):
                    self._add(slot, names, row)
            return rows
        return self._stream(slot, names, rows)

    def _stream(self, slot: dict[str, Any], names: list[str],
                rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        for row in rows:
            if isinstance(row, Mapping):
                self._add(slot, names, row)
            yield row

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: {"rows": t["rows"], "columns": dict(t["columns"])} for name, t in sorted(self.tables.items())}


def merge(many: Iterable[Mapping[str, Any] | None]) -> dict[str, dict[str, Any]]:
    """Fill counts summed table by table and column by column."""
    out: dict[str, dict[str, Any]] = {}
    for counts in many:
        for name, t in (counts or {}).items():
            slot = out.setdefault(name, {"rows": 0, "columns": {}})
            slot["rows"] += int(t.get("rows", 0) or 0)
            for column, n in (t.get("columns") or {}).items():
                slot["columns"][column] = slot["columns"].get(column, 0) + int(n or 0)
    return dict(sorted(out.items()))


def _takes_conflict_limit(store: Any) -> bool:
    try:
        return "conflict_limit" in inspect.signature(store.upsert).parameters
    except (TypeError, ValueError):
        return False


class CountingStore:
    """The data store as a unit's ``write`` sees it: every ``upsert``/``insert_new`` counts
    the rows' filled columns into ``counts`` and asks the store for at most
    ``conflict_limit`` conflicts (when the store takes it); everything else is the store."""

    def __init__(self, store: Any, counts: FillCounts, conflict_limit: int | None = None) -> None:
        self._store, self._counts = store, counts
        self._limit = conflict_limit if conflict_limit is not None and _takes_conflict_limit(store) else None

    def upsert(self, table: Table, rows: Iterable[Mapping[str, Any]], **options: Any) -> Any:
        if self._limit is not None:
            options.setdefault("conflict_limit", self._limit)
        return self._store.upsert(table, self._counts.count(table, rows), **options)

    def insert_new(self, table: Table, rows: Iterable[Mapping[str, Any]], **options: Any) -> Any:
        return self._store.insert_new(table, self._counts.count(table, rows), **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def __repr__(self) -> str:
        return repr(self._store)
