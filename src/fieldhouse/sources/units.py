"""Units of work: the pieces a run is made of, each isolated from the others.

A source plans its units (:meth:`~fieldhouse.sources.protocol.Source.plan`); a run
(:func:`fieldhouse.runs.execute_run`) executes them.  A unit fetches first (network only,
no database writes) and then writes (database only): the run opens one transaction around
``write`` on the data store, and records the unit (its ledger row, its watermarks, the
closing of its dead letter) in the control store, in the same transaction when the two
can share one, else right after the data committed.  A failed unit leaves nothing behind.
A unit must be safe to run again from the start: everything it writes goes through the
defensive upsert, so a repeated unit changes nothing it already wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from ..stores import Store, UpsertResult


@dataclass
class UnitResult:
    """What a unit's ``write`` did: ``tables`` (``{table name: UpsertResult}``) and the
    ``watermarks`` (``{scope: date or None}``) the run records for it, with its unit row."""

    tables: Mapping[str, UpsertResult] = field(default_factory=dict)
    watermarks: Mapping[str, date | None] = field(default_factory=dict)

    @classmethod
    def of(cls, written: UnitResult | Mapping[str, UpsertResult] | None) -> UnitResult:
        """A unit may return a UnitResult or just ``{table name: UpsertResult}``."""
        if isinstance(written, UnitResult):
            return written
        return cls(dict(written or {}))


@runtime_checkable
class Unit(Protocol):
    """One isolated piece of a run, e.g. one season of a source."""

    #: Stable identity across runs, ``<source>/...`` (e.g. ``"example/2024/regular"``);
    #: dead letters and the ledger refer to units by it.
    key: str
    #: What kind of unit it is, e.g. ``"season_type"``, ``"date"``, ``"game"``, ``"file"``.
    kind: str

    def fetch(self) -> Any:
        """Get everything the unit needs from the outside world; no database writes."""

    def write(self, store: Store, fetched: Any) -> UnitResult | Mapping[str, UpsertResult]:
        """Write what ``fetch`` returned to the data store ``store``, inside the transaction
        the run opened; return what was written (and the watermarks to record)."""
