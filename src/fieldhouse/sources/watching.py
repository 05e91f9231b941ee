"""What a source gives ``fieldhouse watch`` (see docs/live.md): a :class:`WatchPlan` whose
:meth:`~WatchPlan.targets` are the things to poll now (e.g. the day's games not
final), each a :class:`Watched`, a unit (key, kind, ``fetch``, ``write``) run once per
poll by the run's loop, which says after each poll what it found (:class:`Polled`).

The loop (``fieldhouse.runs.watch``) owns the timing: the interval rules, the per-scope
lock, the run record, the stop on a signal; the source owns what a poll is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

#: States after which a watched thing is polled no more (after one last full capture).
TERMINAL_STATES = frozenset({"final", "cancelled", "postponed"})


@dataclass
class Polled:
    """What one poll found: the thing's ``state`` (``scheduled``, ``in_progress``,
    ``final``, ...), whether anything ``changed``, the server's suggested ``wait`` in seconds
    (None: none), ``done`` (nothing more to poll), ``how`` it was fetched (``full``,
    ``patch``, ``unchanged``, ``whole game``, ``fallback: why``), its ``version`` (e.g. the
    feed's time code) and what a person sees of it (``shown``: label, score, inning)."""

    state: str
    changed: bool
    wait: float | None = None
    done: bool = False
    how: str = "full"
    version: str | None = None
    shown: Mapping[str, Any] = field(default_factory=dict)


@runtime_checkable
class Watched(Protocol):
    """One thing polled again and again: a unit, plus what its last poll found."""

    key: str
    kind: str
    #: Set by every poll (``fetch`` then ``write``); None before the first.
    last: Polled | None

    def fetch(self) -> Any: ...

    def write(self, store: Any, fetched: Any) -> Any: ...


@runtime_checkable
class WatchPlan(Protocol):
    """What a watch of one scope (a source and a day) polls."""

    #: The lock's and the ledger's scope, e.g. ``2024-07-01``.
    scope: str

    def targets(self) -> Sequence[Watched]:
        """The things to poll now (re-read every few minutes: delays, postponements and new
        games show up); the same object again for a key already watched, so its state
        carries over.  May fetch (a schedule call)."""


__all__ = ["TERMINAL_STATES", "Polled", "WatchPlan", "Watched"]
