"""Counts per table: what several writes did, summed table by table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .result import OUTCOMES, UpsertResult


class Counts(dict[str, UpsertResult]):
    """``{table name: UpsertResult}`` that sums: ``counts.add(results)`` adds each table's
    result to the one already there (never aliasing the caller's objects)."""

    def add(self, results: Mapping[str, UpsertResult]) -> Counts:
        for name, result in results.items():
            if name not in self:
                self[name] = UpsertResult(result.table)
            self[name] += result
        return self

    @classmethod
    def of(cls, *many: Mapping[str, UpsertResult]) -> Counts:
        counts = cls()
        for results in many:
            counts.add(results)
        return counts

    def as_dict(self) -> dict[str, dict[str, int]]:
        """``{table: {outcome: n}}`` in table order, for the ledger and JSON."""
        return {name: result.counts() for name, result in sorted(self.items())}


def total(counts: Iterable[Mapping[str, int]]) -> dict[str, int]:
    """The outcomes summed over tables (of counts as the ledger stores them)."""
    out = dict.fromkeys(OUTCOMES, 0)
    for per_table in counts:
        for name in OUTCOMES:
            out[name] += int(per_table.get(name, 0) or 0)
    return out
