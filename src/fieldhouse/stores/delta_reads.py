"""The reads of the Delta lake store (``rows``, ``iter_rows``, ``count``, ``max_value``):
pyarrow dataset filters over the table's current version, sorted in memory in the order
of the SQL stores (see :mod:`fieldhouse.stores.reads`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow.compute as pc

from ..errors import StoreError
from ..table import Table
from . import delta_arrow as arrow
from . import reads


class DeltaReads:
    """Mixed into :class:`~fieldhouse.stores.delta.DeltaStore` (which gives ``open_table``)."""

    url: Any

    def open_table(self, table: Table, version: int | None = None) -> Any:
        raise NotImplementedError

    def _decoder(self, table: Table, columns: list[str]) -> Callable[[Sequence[Any]], dict[str, Any]]:
        readers = [arrow.reader(table.columns[c].type) for c in columns]

        def decode(record: Sequence[Any]) -> dict[str, Any]:
            return {n: (r(v) if r is not None and v is not None else v)
                    for n, r, v in zip(columns, readers, record, strict=True)}

        return decode

    def _dataset(self, table: Table) -> Any:
        dt = self.open_table(table)
        if dt is None:
            raise StoreError(f"reading table {table} failed: it is not in the lake {self.url.redacted}")
        return arrow.dataset(dt)

    def _fetch(self, table: Table, sel: reads.Select) -> list[tuple[Any, ...]]:
        wanted = list(dict.fromkeys([*sel.columns, *(c for c, _ in sel.order)]))
        data = arrow.read(self._dataset(table), wanted, arrow.where(table, sel.conditions))
        data = arrow.sort(data, sel.order)
        if sel.limit is not None:
            data = data.slice(0, sel.limit)
        return list(zip(*(data[c].to_pylist() for c in sel.columns), strict=True))

    def _stream(self, table: Table, sel: reads.Select, batch_size: int) -> Iterator[Sequence[Any]]:
        yield from self._fetch(table, sel)

    def _scalar(self, table: Table, what: str, sel: reads.Select) -> Any:
        dataset = self._dataset(table)
        expr = arrow.where(table, sel.conditions)
        if what == "count":
            return arrow.read(dataset, [], expr).num_rows
        column = arrow.read(dataset, [sel.columns[0]], expr)[sel.columns[0]]
        return pc.max(column).as_py() if len(column) else None
