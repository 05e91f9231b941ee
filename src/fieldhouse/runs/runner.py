"""Running units: each fetched, then written in a transaction of its own; a failing unit is
recorded and the run goes on with the next.

:func:`run_recorded_unit` is what
:func:`fieldhouse.runs.execute_run` uses: the unit's rows, its watermark (written by the
unit), its ``fieldhouse_units`` record and the closing of its dead letter commit in ONE
transaction; a failure is recorded (unit record and dead letter) in a transaction of its own.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field

from ..errors import error_text
from ..stores import Store, UpsertResult
from . import deadletters, ledger
from .units import Unit

log = logging.getLogger("fieldhouse.runs")

SUCCESS, PARTIAL, FAILED, SKIPPED = "success", "partial", "failed", "skipped"


@dataclass
class UnitOutcome:
    key: str
    kind: str
    status: str  # success | failed
    tables: dict[str, UpsertResult] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    duration: float = 0.0
    attempts: int = 1
    dead_letter: str | None = None  # opened | closed | None

    def counts(self) -> dict[str, dict[str, int]]:
        return {name: result.counts() for name, result in sorted(self.tables.items())}

    def as_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "status": self.status, "attempts": self.attempts,
                "duration": round(self.duration, 3), "counts": self.counts(), "error": self.error,
                "dead_letter": self.dead_letter}


def run_recorded_unit(store: Store, unit: Unit, run: ledger.RunRecord) -> UnitOutcome:
    """Run one unit of a recorded run (see the module docstring).  Errors of the unit become
    a failed outcome and a dead letter; errors recording the failure propagate (the database
    is gone: the run cannot go on)."""
    source = run.row["source"]
    letter = deadletters.get(store, source, unit.key)
    attempts = (letter["attempts"] or 0) + 1 if letter and letter["status"] == deadletters.OPEN else 1
    started_at = ledger.stamp()
    started = time.monotonic()
    done = getattr(unit, "done", None)
    if callable(done) and done(store):
        store.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
            run, unit.key, unit.kind, SKIPPED, attempts=0, started_at=started_at, duration=0.0)])
        log.info("unit %s skipped: the source says it is already complete", unit.key)
        return UnitOutcome(unit.key, unit.kind, SKIPPED, attempts=0)
    store.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
        run, unit.key, unit.kind, ledger.RUNNING, attempts=attempts, started_at=started_at)])
    try:
        fetched = unit.fetch()
        with store.transaction():
            tables = dict(unit.write(store, fetched))
            duration = time.monotonic() - started
            outcome = UnitOutcome(unit.key, unit.kind, SUCCESS, tables, duration=duration, attempts=attempts)
            store.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
                run, unit.key, unit.kind, SUCCESS, attempts=attempts, started_at=started_at,
                duration=duration, counts=outcome.counts())])
            if letter and letter["status"] == deadletters.OPEN:
                deadletters.resolve(store, letter, by=run.run_id)
                outcome.dead_letter = "closed"
    except Exception as exc:  # isolation: one unit's failure never stops the run
        duration = time.monotonic() - started
        message, trace = error_text(exc), traceback.format_exc()
        log.error("unit %s failed: %s", unit.key, message)
        with store.transaction():
            store.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
                run, unit.key, unit.kind, FAILED, attempts=attempts, started_at=started_at,
                duration=duration, error=message, traceback=trace)])
            deadletters.record_failure(store, source=source, unit_key=unit.key, kind=unit.kind,
                                       run_id=run.run_id, error=message, traceback=trace, exc=exc, unit=unit)
        return UnitOutcome(unit.key, unit.kind, FAILED, error=message, traceback=trace,
                           duration=duration, attempts=attempts, dead_letter="opened")
    if outcome.dead_letter == "closed":
        log.info("unit %s succeeded on attempt %d: its dead letter is resolved", unit.key, attempts)
    log.info("unit %s done: %s", unit.key,
             ", ".join(f"{name} {r.counts()}" for name, r in sorted(tables.items())) or "nothing written")
    return outcome
