"""Running units: each fetched, then written in a transaction of its own; a failing unit is
recorded and the run goes on with the next."""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..errors import FieldhouseError
from ..stores import Store, UpsertResult
from .units import Unit

log = logging.getLogger("fieldhouse.runs")

SUCCESS, PARTIAL, FAILED = "success", "partial", "failed"


@dataclass
class UnitOutcome:
    key: str
    kind: str
    status: str  # success | failed
    tables: dict[str, UpsertResult] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    duration: float = 0.0


@dataclass
class RunOutcome:
    units: list[UnitOutcome] = field(default_factory=list)

    @property
    def status(self) -> str:
        failed = sum(u.status != SUCCESS for u in self.units)
        if not failed:
            return SUCCESS
        return FAILED if failed == len(self.units) else PARTIAL

    @property
    def tables(self) -> dict[str, UpsertResult]:
        merged: dict[str, UpsertResult] = {}
        for unit in self.units:
            for name, result in unit.tables.items():
                merged.setdefault(name, UpsertResult(name))
                merged[name] += result
        return merged

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: result.counts() for name, result in sorted(self.tables.items())}


def run_unit(store: Store, unit: Unit) -> UnitOutcome:
    """Fetch, then write in one transaction; any error becomes a failed outcome."""
    started = time.monotonic()
    try:
        fetched = unit.fetch()
        with store.transaction():
            tables = dict(unit.write(store, fetched))
    except Exception as exc:  # isolation: one unit's failure never stops the run
        message = str(exc) if isinstance(exc, FieldhouseError) else f"{type(exc).__name__}: {exc}"
        log.error("unit %s failed: %s", unit.key, message)
        return UnitOutcome(unit.key, unit.kind, FAILED, error=message,
                           traceback=traceback.format_exc(), duration=time.monotonic() - started)
    log.info("unit %s done: %s", unit.key,
             ", ".join(f"{name} {r.counts()}" for name, r in sorted(tables.items())))
    return UnitOutcome(unit.key, unit.kind, SUCCESS, tables, duration=time.monotonic() - started)


def run_units(store: Store, units: Iterable[Unit]) -> RunOutcome:
    outcome = RunOutcome()
    for unit in units:
        outcome.units.append(run_unit(store, unit))
    return outcome


def merge(results: Iterable[Mapping[str, UpsertResult]]) -> dict[str, UpsertResult]:
    merged: dict[str, UpsertResult] = {}
    for part in results:
        for name, result in part.items():
            merged.setdefault(name, UpsertResult(name))
            merged[name] += result
    return merged
