"""How filled each column of the rows a unit gives the data store is: per table the rows
and, per column, the non-NULL values among them, counted as the rows flow to ``upsert``
(one pass, no copy), by :func:`watching` the data store while a unit writes.  The ledger keeps it per unit and per run (``filled``); the
schema_drift alert compares it across runs (a column an API stopped sending comes back
NULL for most rows)."""

from __future__ import annotations

import inspect
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from ..table import Table

#: fieldhouse's own tables (raw zone, ledger ...): not a source's data, not counted.
OWN_PREFIX = "fieldhouse_"


class FillCounts:
    """``{table: {"rows": n, "columns": {column: non-NULL values}}}``, counted as rows pass
    (a ``Counter`` fed by one generator per batch: about twice as fast as a lookup per column)."""

    CHUNK = 2000  # rows of a stream counted at once

    def __init__(self) -> None:
        self.tables: dict[str, tuple[Table, list[int], Counter[str]]] = {}

    def _slot(self, table: Table) -> tuple[list[int], Counter[str]]:
        held = self.tables.get(table.name)
        if held is None:
            held = self.tables[table.name] = (table, [0], Counter())
        return held[1], held[2]

    @staticmethod
    def _add(rows_seen: list[int], filled: Counter[str], batch: Sequence[Any]) -> None:
        mappings = [row for row in batch if isinstance(row, Mapping)]
        rows_seen[0] += len(mappings)
        filled.update(k for row in mappings for k, v in row.items() if v is not None)

    def count(self, table: Table, rows: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
        """``rows`` as they were (a sequence counted at once, anything else as it streams)."""
        if isinstance(rows, Sequence):
            seen, filled = self._slot(table)
            self._add(seen, filled, rows)
            return rows
        if isinstance(rows, Iterator):
            seen, filled = self._slot(table)
            return self._stream(seen, filled, rows)
        return rows  # anything else (a columnar batch ...) goes to the store as it is, uncounted

    def _stream(self, seen: list[int], filled: Counter[str],
                rows: Iterable[Mapping[str, Any]]) -> Iterator[Mapping[str, Any]]:
        chunk: list[Any] = []
        try:
            for row in rows:
                chunk.append(row)
                yield row
                if len(chunk) >= self.CHUNK:
                    self._add(seen, filled, chunk)
                    chunk = []
        finally:
            self._add(seen, filled, chunk)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: {"rows": seen[0], "columns": {c: filled.get(c, 0) for c in table.columns}}
                for name, (table, seen, filled) in sorted(self.tables.items())}


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


@contextmanager
def watching(store: Any, counts: FillCounts, conflict_limit: int | None = None) -> Iterator[None]:
    """While a unit writes: every ``upsert``/``insert_new`` of the data store ``store`` (the
    object itself, so a unit that holds its own reference to it is seen too) counts the
    rows' filled columns into ``counts`` and asks for at most ``conflict_limit`` conflicts
    (when the store takes it).  fieldhouse's own tables (``fieldhouse_*``: the raw zone a
    unit lands responses in) are not counted."""
    upsert, insert_new = store.upsert, store.insert_new
    limit = conflict_limit if conflict_limit is not None and _takes_conflict_limit(store) else None

    def counted_upsert(table: Table, rows: Iterable[Mapping[str, Any]], **options: Any) -> Any:
        if limit is not None:
            options.setdefault("conflict_limit", limit)
        return upsert(table, _counted(table, rows), **options)

    def counted_insert_new(table: Table, rows: Iterable[Mapping[str, Any]], **options: Any) -> Any:
        return insert_new(table, _counted(table, rows), **options)

    def _counted(table: Table, rows: Iterable[Mapping[str, Any]]) -> Iterable[Mapping[str, Any]]:
        return rows if table.name.startswith(OWN_PREFIX) else counts.count(table, rows)

    try:
        store.upsert, store.insert_new = counted_upsert, counted_insert_new
    except AttributeError:  # a store that takes no attributes: nothing counted
        yield
        return
    try:
        yield
    finally:
        for name in ("upsert", "insert_new"):
            try:
                delattr(store, name)
            except AttributeError:
                pass
