"""Writing what a mapping made: every target in load order, and the rejects, in ONE
transaction, so the good rows and the quarantine of the bad ones land together or not at all."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from ..stores import UpsertResult
from ..stores.result import Rejected
from .apply import Applied, Snapshot
from .quarantine import QUARANTINE, quarantine_rows
from .spec import Target


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
            written = upsert_target(store, target, applied.rows[name], applied.snapshots.get(name), applied.spans.get(name))
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


def upsert_target(store: Any, target: Target, rows: list[Any], snapshots: list[Snapshot] | None = None,
                  spans: list[tuple[int, int]] | None = None) -> UpsertResult:
    """Upsert ``rows`` into the target's table; for a snapshot target, with ``snapshots`` (and
    the slice of ``rows`` each holds, ``spans``).  The store takes one snapshot per parent
    in a write, so when records give several of one parent they are written one after the
    other (in rounds, the first snapshot of each parent, then the second...): applied in
    any order, snapshots end as the newest alone would, so the table is what one write of
    the newest would make."""
    if target.snapshot is None:
        return store.upsert(target.table, rows)
    assert snapshots is not None and spans is not None
    rounds: list[tuple[list[Any], list[Snapshot]]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for snapshot, (start, end) in zip(snapshots, spans, strict=True):
        k = seen.get(snapshot.parent, 0)
        seen[snapshot.parent] = k + 1
        if k == len(rounds):
            rounds.append(([], []))
        rounds[k][0].extend(rows[start:end])
        rounds[k][1].append(snapshot)
    if not rounds:  # no record named a parent: nothing to replace
        return store.upsert(target.table, rows, snapshots=[])
    total = UpsertResult(target.table.name)
    for round_rows, round_snapshots in rounds:
        total += store.upsert(target.table, round_rows, snapshots=round_snapshots)
    return total
