"""The driver's side of a distributed run: record each unit as it is handed to a worker,
then record the worker's report exactly as a local run records a unit (its ledger row with
the worker's name, its watermarks, its dead letter opened or closed).

A worker commits the unit's data itself; the driver then commits the control rows: the
"data first, control second" order of two stores (docs/runs.md), repaired by a re-run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from ...errors import error_text
from ...sources.units import Unit
from ...sources.watermarks import set_watermark
from ...stores.roles import Stores
from .. import deadletters, ledger
from ..report import UnitOutcome
from ..statuses import FAILED, RUNNING, SKIPPED, SUCCESS
from .protocol import Executor, UnitJob, UnitReport
from .worker import dask_job, local_job, spark_job

log = logging.getLogger("fieldhouse.runs")

JOBS: dict[str, Callable[[Any], Any]] = {"dask": dask_job, "spark": spark_job, "local": local_job}


class _Failure(Exception):
    """A worker's failure, as the dead-letter code reads an exception."""

    def __init__(self, facts: dict[str, Any]) -> None:
        super().__init__(facts.get("endpoint"))
        self.endpoint, self.status = facts.get("endpoint"), facts.get("status")
        self.attempts, self.raw_ref = facts.get("attempts"), facts.get("raw_ref")


def run_units(stores: Stores, plan: list[Unit], run: ledger.RunRecord, executor: Executor,
              job_for: Callable[[str], UnitJob]) -> Iterator[tuple[UnitOutcome, int]]:
    """Run ``plan`` on ``executor``; yield (outcome, HTTP calls of the worker) per unit,
    skipped units first, the others as they complete."""
    control, source = stores.control, run.row["source"]
    pending: dict[str, tuple[Unit, dict | None, int, Any]] = {}
    jobs = []
    for unit in plan:
        letter = deadletters.get(control, source, unit.key)
        retrying = letter is not None and letter["status"] == deadletters.OPEN
        attempts = (letter["attempts"] or 0) + 1 if retrying else 1
        started_at = ledger.stamp()
        done = getattr(unit, "done", None)
        if callable(done) and done(control):
            control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
                run, unit.key, unit.kind, SKIPPED, attempts=0, started_at=started_at, duration=0.0)])
            yield UnitOutcome(unit.key, unit.kind, SKIPPED, attempts=0), 0
            continue
        control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
            run, unit.key, unit.kind, RUNNING, attempts=attempts, started_at=started_at)])
        pending[unit.key] = (unit, letter if retrying else None, attempts, started_at)
        jobs.append(job_for(unit.key))
    try:
        for report in executor.map(JOBS[executor.name], jobs):
            yield _record(stores, run, report, *pending.pop(report.key)), report.http_calls
    except Exception as exc:  # the engine gave up on a job (e.g. dask's KilledWorker)
        why = f"the {executor.name} executor lost the unit: {error_text(exc)}"
        for key in list(pending):
            lost = UnitReport(key, FAILED, f"{executor.name}:lost", error=why)
            yield _record(stores, run, lost, *pending.pop(key)), 0


def _record(stores: Stores, run: ledger.RunRecord, report: UnitReport, unit: Unit,
            letter: dict | None, attempts: int, started_at: Any) -> UnitOutcome:
    control, source = stores.control, run.row["source"]
    outcome = UnitOutcome(unit.key, unit.kind, report.status, tables=report.tables, error=report.error,
                          traceback=report.traceback, duration=report.duration, attempts=attempts)
    with control.transaction():
        if report.status == SUCCESS:
            for scope, value in report.watermarks.items():
                set_watermark(control, source, scope, value)
            control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
                run, unit.key, unit.kind, SUCCESS, attempts=attempts, started_at=started_at,
                duration=report.duration, counts=outcome.counts(), worker=report.worker)])
            if letter is not None:
                deadletters.resolve(control, letter, by=run.run_id)
                outcome.dead_letter = "closed"
        else:
            control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
                run, unit.key, unit.kind, FAILED, attempts=attempts, started_at=started_at,
                duration=report.duration, error=report.error, traceback=report.traceback,
                worker=report.worker)])
            deadletters.record_failure(control, source=source, unit_key=unit.key, kind=unit.kind,
                                       run_id=run.run_id, error=report.error or "failed",
                                       traceback=report.traceback, exc=_Failure(report.failure), unit=unit)
            outcome.dead_letter = "opened"
    if report.status == SUCCESS:
        log.info("unit %s done on %s: %s", unit.key, report.worker,
                 ", ".join(f"{n} {r.counts()}" for n, r in sorted(outcome.tables.items())) or "nothing written")
    else:
        log.error("unit %s failed on %s: %s", unit.key, report.worker, report.error)
    return outcome
