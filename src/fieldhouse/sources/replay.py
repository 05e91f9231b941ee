"""Handlers and replay: how stored raw responses become table rows, online and offline.

A source registers one *handler* per (source, endpoint)::

    from fieldhouse.sources.replay import register

    @register("nba", "leaguegamelog")
    def league_game_log(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
        rows = [... built from raw.data, each with captured_at=raw.captured_at ...]
        return {"nba.team_games": store.upsert(TEAM_GAMES, rows)}

The contract of a handler:

* it reads only ``raw`` (``raw.data``, ``raw.params``, ``raw.captured_at``), never the
  network or the clock, so that running it again on the same response writes the same rows;
* every row it writes carries ``raw.captured_at`` as its version, so that the store's
  version rule (newer wins, identical is unchanged) makes replaying idempotent and stops an
  older response from bringing back older values;
* it returns ``{table name: UpsertResult}`` for what it wrote (an empty dict is fine);
* it raises a :class:`~fieldhouse.errors.FieldhouseError` for a response it cannot map.

Online, a source calls :func:`ingest` (land the response, then its handler, in one
transaction); :func:`replay` runs the same handlers over ``fieldhouse_raw`` with no network,
oldest capture first.  Source packages that register handlers are imported by
:func:`load_handlers` (the built-in list below, plus entry points in the group
``fieldhouse.handlers``), which the ``fieldhouse replay`` command calls.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib.metadata import entry_points

from ..errors import FieldhouseError
from ..stores import Store, UpsertResult
from .http.response import Response
from .raw import Landed, RawResponse, land, raw_responses

log = logging.getLogger("fieldhouse.replay")

Handler = Callable[[Store, RawResponse], Mapping[str, UpsertResult]]

# Modules that register the built-in sources' handlers when imported (added as sources land).
BUILTIN_HANDLER_MODULES: tuple[str, ...] = ("fieldhouse.sources.nba.handlers", "fieldhouse.sources.mlb.handlers")


class Registry:
    """Handlers by (source, endpoint)."""

    def __init__(self) -> None:
        self._handlers: dict[tuple[str, str], Handler] = {}

    def register(self, source: str, endpoint: str, handler: Handler | None = None):
        """Register ``handler`` for (source, endpoint); usable as a decorator."""

        def add(fn: Handler) -> Handler:
            self._handlers[(source, endpoint)] = fn
            return fn

        return add(handler) if handler is not None else add

    def unregister(self, source: str, endpoint: str) -> None:
        self._handlers.pop((source, endpoint), None)

    def get(self, source: str, endpoint: str) -> Handler | None:
        return self._handlers.get((source, endpoint))

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


registry = Registry()
register = registry.register


def load_handlers() -> None:
    """Import the built-in handler modules and the ``fieldhouse.handlers`` entry points."""
    for name in BUILTIN_HANDLER_MODULES:
        importlib.import_module(name)
    for ep in entry_points(group="fieldhouse.handlers"):
        ep.load()


def _apply(store: Store, raw: RawResponse, handler: Handler,
           totals: dict[str, UpsertResult]) -> None:
    results = handler(store, raw)
    if not isinstance(results, Mapping):
        raise FieldhouseError(
            f"the handler for {raw.source}/{raw.endpoint} returned {type(results).__name__}, "
            "not a mapping of table name to UpsertResult")
    for table, result in results.items():
        if table not in totals:
            totals[table] = UpsertResult(result.table)
        totals[table] += result


@dataclass
class Ingested:
    """What :func:`ingest` did: the landing, and the handler's results (empty if none)."""

    landed: Landed
    results: dict[str, UpsertResult] = field(default_factory=dict)


def ingest(store: Store, response: Response, reg: Registry | None = None) -> Ingested:
    """Land ``response`` and run its handler on the landed copy, atomically.

    The handler sees the ``captured_at`` of the first capture of this content, so syncing
    unchanged data again leaves every row unchanged.  Without a handler the response is
    only landed (and replay maps it once a handler exists).
    """
    reg = reg or registry
    with store.transaction():
        landed = land(store, response)
        handler = reg.get(response.source, response.endpoint)
        results: dict[str, UpsertResult] = {}
        if handler is not None:
            _apply(store, landed.response, handler, results)
    return Ingested(landed, results)


@dataclass
class ReplayReport:
    """``responses`` replayed, ``tables`` totals per table, ``unhandled`` counts of stored
    responses with no handler, ``failures`` the responses whose handler raised."""

    responses: int = 0
    tables: dict[str, UpsertResult] = field(default_factory=dict)
    unhandled: dict[str, int] = field(default_factory=dict)
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {
            "responses": self.responses,
            "tables": {name: r.counts() for name, r in sorted(self.tables.items())},
            "unhandled": dict(sorted(self.unhandled.items())),
            "failures": [dict(zip(("source", "endpoint", "params", "error"), f, strict=True))
                         for f in self.failures],
        }


def replay(store: Store, *, source: str | None = None, since: date | datetime | None = None,
           reg: Registry | None = None) -> ReplayReport:
    """Run the handlers over the stored responses, oldest capture first, without network.

    Each response is applied in its own transaction; a handler that raises a
    FieldhouseError is recorded in ``failures`` (its writes rolled back) and replay goes on.
    """
    reg = reg or registry
    report = ReplayReport()
    for raw in raw_responses(store, source=source, since=since):
        handler = reg.get(raw.source, raw.endpoint)
        if handler is None:
            key = f"{raw.source}/{raw.endpoint}"
            report.unhandled[key] = report.unhandled.get(key, 0) + 1
            continue
        try:
            with store.transaction():
                results: dict[str, UpsertResult] = {}
                _apply(store, raw, handler, results)
        except FieldhouseError as exc:
            log.warning("replay of %s %s %s failed: %s", raw.source, raw.endpoint, raw.params_text, exc)
            report.failures.append((raw.source, raw.endpoint, raw.params_text, str(exc)))
            continue
        report.responses += 1
        for table, result in results.items():
            if table in report.tables:
                report.tables[table] += result
            else:
                report.tables[table] = result
    return report
