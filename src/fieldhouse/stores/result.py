"""What a write did: counts per outcome, and the rejected rows with their reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: What can happen to an input row (each is counted exactly once as one of the first five),
#: and ``deleted``: stored rows removed because a newer snapshot of their parent no longer
#: holds them (tables with a ``parent_key``; see docs/upsert.md).
OUTCOMES = ("inserted", "updated", "unchanged", "stale", "rejected", "deleted")

#: How many conflicts ``upsert`` keeps per call unless told otherwise (``conflict_limit=``).
CONFLICT_LIMIT = 1000


@dataclass(frozen=True)
class Conflict:
    """A stale row: an incoming row that lost to a newer one.  ``key`` holds its
    primary-key values; ``stored_version`` is the version that beat it: the stored row's
    (or, for a table of snapshots, the stored snapshot marker's), or the winning copy's
    when another copy of the key in the same batch beat it."""

    key: dict[str, Any]
    incoming_version: Any
    stored_version: Any


@dataclass(frozen=True)
class Rejected:
    """A row that could not be written, and why: refused by the store (it did not fit its
    table) or by a mapping (it could not be made).

    ``row`` is what was rejected: the row given to the store, or for a mapping the raw
    element the row was to come from (the record itself without a row source).  A mapping
    also says which ``target`` rejected it, where the element is inside its record
    (``location``, "" for the record) and where the record came from (``origin``, e.g.
    ``payments.csv line 7``)."""

    table: str
    row: Any
    reason: str
    target: str | None = None
    location: str = ""
    origin: str | None = None


@dataclass
class UpsertResult:
    """Counts of one or more writes to one table.

    Every input row is counted exactly once: ``inserted + updated + unchanged + stale +
    rejected`` equals the number of rows given.  A row beaten by another copy of its key
    in the same batch counts as ``stale`` (older) or ``unchanged`` (identical).
    """

    table: str
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0
    #: Stored rows removed by a newer snapshot of their parent (not input rows).
    deleted: int = 0
    rejects: list[Rejected] = field(default_factory=list)
    #: Of ``updated``: rows whose values were the same and whose version moved (a newer
    #: capture of unchanged data).  Not an outcome of its own: already in ``updated``.
    refreshed: int = 0
    #: Rejected rows counted but not kept in ``rejects`` (a long load keeps the first few;
    #: the quarantine has them all).
    rejects_omitted: int = 0
    #: A sample of the stale rows (at most ``conflict_limit``), and how many stale rows
    #: were not sampled: ``len(conflicts) + conflicts_omitted == stale``.
    conflicts: list[Conflict] = field(default_factory=list)
    conflicts_omitted: int = 0
    conflict_limit: int = field(default=CONFLICT_LIMIT, repr=False, compare=False)

    @property
    def rejected(self) -> int:
        return len(self.rejects) + self.rejects_omitted

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged + self.stale + self.rejected

    @property
    def written(self) -> int:
        """Rows that changed the table (inserted or updated)."""
        return self.inserted + self.updated

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in OUTCOMES}

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        for name in ("inserted", "updated", "unchanged", "stale", "deleted", "refreshed", "rejects_omitted",
                     "conflicts_omitted"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.rejects.extend(other.rejects)
        self.add_conflicts(other.conflicts)
        return self

    def add_conflicts(self, conflicts: list[Conflict]) -> None:
        """Append ``conflicts`` up to ``conflict_limit``; the rest count as omitted."""
        room = max(0, self.conflict_limit - len(self.conflicts))
        self.conflicts.extend(conflicts[:room])
        self.conflicts_omitted += max(0, len(conflicts) - room)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        if self.refreshed:
            inner += f", refreshed={self.refreshed}"
        return f"UpsertResult({self.table!r}, {inner})"
