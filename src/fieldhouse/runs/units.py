"""Units of work: the pieces a run is made of, each isolated from the others.

A unit fetches first (network only, no database writes) and then writes (database only):
the runner opens one transaction around ``write`` so that a unit's rows, its watermark and
its unit record commit together or not at all, and a failed unit leaves nothing behind.
A unit must be safe to run again from the start: everything it writes goes through the
defensive upsert, so a repeated unit changes nothing it already wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from ..stores import Store, UpsertResult


@runtime_checkable
class Unit(Protocol):
    """One isolated piece of a run, e.g. one season type of one NBA season."""

    #: Stable identity across runs, e.g. ``"nba/2018-19/playoffs"``; dead letters and the
    #: ledger refer to units by it.
    key: str
    #: What kind of unit it is, e.g. ``"season_type"``, ``"date"``, ``"game"``, ``"file"``.
    kind: str

    def fetch(self) -> Any:
        """Get everything the unit needs from the outside world; no database writes."""

    def write(self, store: Store, fetched: Any) -> Mapping[str, UpsertResult]:
        """Write what ``fetch`` returned, inside the transaction the runner opened; return
        ``{table name: UpsertResult}``."""
