"""Handlers and replay: how stored raw responses become table rows, online and offline.

A source declares one *handler* per endpoint (its ``handlers()``, see
:mod:`fieldhouse.sources.protocol`); a handler can also be registered by hand::

    from fieldhouse import register_handler

    @register_handler("example", "scores")
    def scores(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
        rows = [... built from raw.data, each with captured_at=raw.captured_at ...]
        return {"example.scores": store.upsert(SCORES, rows)}

The contract of a handler:

* it reads only ``raw`` (``raw.data``, ``raw.params``, ``raw.captured_at``), never the
  network or the clock, so that running it again on the same response writes the same rows;
* every row it writes carries ``raw.captured_at`` as its version, so that the store's
  version rule (newer wins, identical is unchanged) makes replaying idempotent and stops an
  older response from bringing back older values;
* it returns ``{table name: UpsertResult}`` for what it wrote (an empty dict is fine);
* it raises a :class:`~fieldhouse.errors.FieldhouseError` for a response it cannot map.

Online, a source calls :func:`ingest` (land the response in the raw zone, then run its
handler); :func:`replay` runs the same handlers over ``fieldhouse_raw`` with no network,
oldest capture first, then each replayed source's ``static_units()`` (data that comes
from no response), so a database rebuilt from an archive holds every table a sync builds.
A handler registered by hand wins over the source's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

from ..errors import FieldhouseError
from ..stores import Store, UpsertResult
from ..stores.counts import Counts
from ..stores.roles import shares_transaction
from .http.response import Response
from .raw import Landed, RawResponse, land, raw_responses
from .shrink import check_size, mark_applied, suspect_response
from .units import UnitResult

log = logging.getLogger("fieldhouse.replay")

Handler = Callable[[Store, RawResponse], Mapping[str, UpsertResult]]


class Registry:
    """Handlers by (source, endpoint); ``fallback(source, endpoint)`` answers for the pairs
    registered by hand nowhere (the global registry falls back to the installed sources)."""

    def __init__(self, fallback: Callable[[str, str], Handler | None] | None = None) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}
        self._fallback = fallback

    def register(self, source: str, endpoint: str, handler: Handler | None = None):
        """Register ``handler`` for (source, endpoint); usable as a decorator."""

        def add(fn: Handler) -> Handler:
            self._handlers[(source, endpoint)] = fn
            return fn

        return add(handler) if handler is not None else add

    def unregister(self, source: str, endpoint: str) -> None:
        self._handlers.pop((source, endpoint), None)

    def get(self, source: str, endpoint: str) -> Handler | None:
        found = self._handlers.get((source, endpoint))
        if found is None and self._fallback is not None:
            found = self._fallback(source, endpoint)
        return found

    def resolver(self) -> Callable[[str, str], Handler | None]:
        """:meth:`get`, remembering each answer (for one replay over many responses)."""
        seen: dict[tuple[str, str], Handler | None] = {}

        def get(source: str, endpoint: str) -> Handler | None:
            if (source, endpoint) not in seen:
                seen[(source, endpoint)] = self.get(source, endpoint)
            return seen[(source, endpoint)]

        return get

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._handlers

    def keys(self) -> list[tuple[str, str]]:
        return sorted(self._handlers)

    @contextmanager
    def scoped(self) -> Iterator[Registry]:
        """Registrations made inside the block are undone after it (for tests)."""
        saved = dict(self._handlers)
        try:
            yield self
        finally:
            self._handlers = saved


def source_handler(source: str, endpoint: str) -> Handler | None:
    """The handler the installed source ``source`` declares for ``endpoint``, if any."""
    from . import registry as sources

    if source not in sources.names():
        return None
    return sources.get(source).handlers().get(endpoint)


registry = Registry(fallback=source_handler)
register = registry.register


def _apply(store: Store, raw: RawResponse, handler: Handler) -> Counts:
    results = handler(store, raw)
    if not isinstance(results, Mapping):
        raise FieldhouseError(
            f"the handler for {raw.source}/{raw.endpoint} returned {type(results).__name__}, "
            "not a mapping of table name to UpsertResult")
    return Counts.of(results)


@dataclass
class Ingested:
    """What :func:`ingest` did: the landing, and the handler's results (empty if none)."""

    landed: Landed
    results: Counts = field(default_factory=Counts)


def ingest(store: Store, response: Response, reg: Registry | None = None, *,
           control: Store | None = None) -> Ingested:
    """Land ``response`` in the raw zone of ``control`` (default: ``store``) and run its
    handler on the landed copy, writing to ``store``.

    The handler sees the ``captured_at`` of the first capture of this content, so syncing
    unchanged data again leaves every row unchanged.  Without a handler the response is
    only landed (and replay maps it once a handler exists).  When the two stores can share
    a transaction, landing and rows are one; otherwise the response is landed first (the
    raw zone is the input log: a crash before the rows commit leaves a response that the
    next run, or a replay, applies).

    A ``derived`` response (an answer computed from a stored one, see
    :class:`~fieldhouse.sources.http.Response`) is mapped but never landed: the raw zone
    holds only what a server sent.  A response far smaller than the previous capture of the
    same request raises :class:`~fieldhouse.sources.shrink.SuspectResponseError` before
    anything is written (see :func:`~fieldhouse.sources.shrink.check_size`).
    """
    reg = reg or registry
    control = store if control is None else control
    handler = reg.get(response.source, response.endpoint)
    if response.derived:  # computed, not received: mapped, never stored as raw
        landed = Landed(RawResponse.from_response(response), stored=False)
        with store.transaction():
            results = _apply(store, landed.response, handler) if handler is not None else Counts()
        return Ingested(landed, results)
    check_size(control, response)  # a suspect (shrunken) response raises: nothing applied
    if shares_transaction(store, control):
        with store.transaction():
            landed = land(control, response)
            results = _apply(store, landed.response, handler) if handler is not None else Counts()
        return Ingested(landed, results)
    landed = land(control, response)
    with store.transaction():
        results = _apply(store, landed.response, handler) if handler is not None else Counts()
    return Ingested(landed, results)


@dataclass
class ReplayReport:
    """``responses`` replayed, ``tables`` totals per table, ``unhandled`` counts of stored
    responses with no handler, ``failures`` the responses whose handler raised."""

    responses: int = 0
    tables: Counts = field(default_factory=Counts)
    unhandled: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {
            "responses": self.responses,
            "tables": self.tables.as_dict(),
            "unhandled": dict(sorted(self.unhandled.items())),
            "failures": [dict(zip(("source", "endpoint", "params", "error"), f, strict=True))
                         for f in self.failures],
        }


def replay(store: Store, *, source: str | None = None, since: date | datetime | None = None,
           reg: Registry | None = None, control: Store | None = None) -> ReplayReport:
    """Run the handlers over the responses stored in ``control`` (default: ``store``),
    oldest capture first, without network, writing to ``store``.

    Each response is applied in its own transaction; a handler that raises a
    FieldhouseError is recorded in ``failures`` (its writes rolled back) and replay goes on.
    Then, for each installed source that had responses, its ``static_units()`` write the
    tables a sync builds from no response (``failures`` endpoint ``static`` if one raises).
    """
    handler_for = (reg or registry).resolver()
    report = ReplayReport()
    seen: set[str] = set()
    for raw in raw_responses(store if control is None else control, source=source, since=since):
        seen.add(raw.source)
        replay_one(store, raw, handler_for, report)
    for name in sorted(seen):
        replay_static(store, name, report)
    return report


def replay_one(store: Store, raw: RawResponse, handler_for: Callable[[str, str], Handler | None],
               report: ReplayReport) -> None:
    """Apply one stored response in its own transaction, adding what happened to ``report``
    (a distributed replay runs this on workers, see fieldhouse.runs.executors)."""
    handler = handler_for(raw.source, raw.endpoint)
    if handler is None:
        key = f"{raw.source}/{raw.endpoint}"
        report.unhandled[key] = report.unhandled.get(key, 0) + 1
        return
    try:
        with store.transaction():
            results = _apply(store, raw, handler)
    except FieldhouseError as exc:
        log.warning("replay of %s %s %s failed: %s", raw.source, raw.endpoint, raw.params_text, exc)
        report.failures.append((raw.source, raw.endpoint, raw.params_text, str(exc)))
        return
    report.responses += 1
    report.tables.add(results)


def replay_static(store: Store, name: str, report: ReplayReport) -> None:
    """Write the ``static_units()`` of installed source ``name`` (part of every replay)."""
    from . import registry as sources

    if name not in sources.names():
        return
    for unit in sources.get(name).static_units():
        try:
            with store.transaction():
                results = Counts.of(UnitResult.of(unit.write(store, unit.fetch())).tables)
        except FieldhouseError as exc:
            log.warning("replay of the static unit %s failed: %s", unit.key, exc)
            report.failures.append((name, "static", unit.key, str(exc)))
            continue
        report.tables.add(results)


def apply_suspect(store: Store, ref: Mapping[str, object] | None, reg: Registry | None = None, *,
                  control: Store | None = None) -> Ingested | None:
    """Apply on purpose the suspect response a dead letter's ``raw_ref`` points to (kept in
    ``fieldhouse_raw_suspect`` of ``control`` by the shrink guard): land it, run its handler
    writing to ``store``, and mark it applied.  None if ``ref`` points to no kept response."""
    control = store if control is None else control
    raw = suspect_response(control, dict(ref or {}))
    if raw is None:
        return None
    handler = (reg or registry).get(raw.source, raw.endpoint)
    with control.transaction():
        landed = land(control, raw)
        with store.transaction():
            results = _apply(store, landed.response, handler) if handler is not None else Counts()
        mark_applied(control, raw)
    return Ingested(landed, results)
