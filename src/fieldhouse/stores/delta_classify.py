"""Classifying a batch against the rows a Delta table holds at one version (pure Python).

delta-rs's MERGE metrics cannot tell a stale row from an unchanged one, so the store reads
the stored (version, rank) of the batch's keys at the table version the MERGE reads, and
counts each row here by the same order as the SQL stores; only the rows that change the
table go into the MERGE, whose predicate checks the order again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..table import Table
from .result import Conflict

Stored = Mapping[tuple[Any, ...], tuple[Any, str]]


@dataclass
class Classified:
    write: list[tuple[Any, ...]] = field(default_factory=list)  # rows that change the table
    counts: dict[str, Any] = field(default_factory=dict)


def classify(table: Table, rows: Sequence[tuple[Any, ...]], stored: Stored, mode: str,
             conflict_limit: int = 0) -> Classified:
    """``mode``: ``upsert`` (newer (version, rank) wins), ``insert_new`` (existing keys are
    left alone) or ``replace`` (snapshot rows: every row that differs is written)."""
    columns = table.content_columns
    key_idx = [columns.index(k) for k in table.primary_key]
    vi = columns.index(table.version)
    out = Classified()
    inserted = updated = unchanged = stale = refreshed = 0
    losers = []
    for row in rows:
        key = tuple(row[i] for i in key_idx)
        have = stored.get(key)
        if have is None:
            inserted += 1
            out.write.append(row)
            continue
        mine = (row[vi], row[-1])
        if mine == have or mode == "insert_new":
            unchanged += 1
        elif mode == "replace" or mine > have:
            updated += 1
            refreshed += row[-1] == have[1]
            out.write.append(row)
        else:
            stale += 1
            losers.append((key, row[vi], have[0]))
    out.counts = {"inserted": inserted, "updated": updated, "unchanged": unchanged, "stale": stale,
                  "refreshed": refreshed}
    if mode == "upsert":
        losers.sort(key=lambda item: item[0])
        out.counts["conflicts"] = [Conflict(dict(zip(table.primary_key, k, strict=True)), v, s)
                                   for k, v, s in losers[:conflict_limit]]
    return out


def parents_of(table: Table, rows: Sequence[tuple[Any, ...]]) -> dict[tuple[Any, ...], list[tuple[Any, ...]]]:
    columns = table.content_columns
    idx = [columns.index(c) for c in table.parent_key or ()]
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[i] for i in idx), []).append(row)
    return groups


def partitions_of(table: Table, rows: Sequence[tuple[Any, ...]]) -> set[tuple[Any, ...]] | None:
    if not table.partition_by:
        return None
    columns = table.content_columns
    idx = [columns.index(c) for c in table.partition_by]
    return {tuple(row[i] for i in idx) for row in rows}
