"""Writing what a mapping made: every target in load order, and the rejects, in ONE
transaction, so the good rows and the quarantine of the bad ones land together or not at all."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..stores import UpsertResult
from ..stores.result import Rejected
from .apply import Applied, apply_mapping
from .quarantine import QUARANTINE, quarantine_rows
from .spec import MappingSpec


@dataclass
class LoadResult:
    """Per-table counts (``rejected`` includes rows the mapping rejected), the quarantine's
    own counts, and how many rows each target's filter left out."""

    tables: dict[str, UpsertResult] = field(default_factory=dict)
    quarantine: UpsertResult = field(default_factory=lambda: UpsertResult(QUARANTINE.name))
    filtered: dict[str, int] = field(default_factory=dict)
    rejects: list[Rejected] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "tables": {name: r.counts() for name, r in self.tables.items()},
            "quarantine": self.quarantine.counts(),
            "filtered": dict(self.filtered),
        }


def write_applied(store: Any, applied: Applied, captured_at: datetime | None = None) -> LoadResult:
    """Upsert every target's rows (referenced targets first) and quarantine every reject."""
    mapping = applied.mapping
    result = LoadResult(filtered={mapping.targets[n].table.name: c for n, c in applied.filtered.items()})
    rejects: list[Rejected] = []
    with store.transaction():
        for name in mapping.order:
            target = mapping.targets[name]
            store.ensure_table(target.table)
        store.ensure_table(QUARANTINE)
        for name in mapping.order:
            target = mapping.targets[name]
            written = store.upsert(target.table, applied.rows[name])
            # the store's own refusals (none, as the mapping casts first): the row it refused
            written.rejects[:] = [replace(r, target=name) for r in written.rejects]
            rejects.extend(applied.rejects[name])
            rejects.extend(written.rejects)
            total = UpsertResult(target.table.name, rejects=list(applied.rejects[name]))
            total += written
            result.tables[target.table.name] = total
        if rejects:
            result.quarantine = store.upsert(QUARANTINE, quarantine_rows(rejects, captured_at))
    result.rejects = rejects
    return result


def load_records(store: Any, mapping: MappingSpec, records: Iterable[Any], captured_at: datetime | None = None) -> LoadResult:
    """Apply ``mapping`` to ``records`` and write the result (see :func:`write_applied`)."""
    return write_applied(store, apply_mapping(mapping, records, captured_at), captured_at)
