"""One recorded run of a source: pre-flight, the source's lock, abandoned runs, dead letters
first, then each unit in isolation, then audits; everything in the ledger (docs/runs.md).

::

    report = execute_run(store, source="example", command="sync", arguments={"season": "2024"},
                         units=units, unit_for_key=unit_for_key, http_calls=lambda: client.sent,
                         api_check=tiny_request_or_None, audits=audits)
    report.status, report.exit_code, report.counts()

``store`` is the data store; ``control=`` (default: the same store) holds the ledger,
watermarks, dead letters and raw zone.  :func:`fieldhouse.runs.commands.run_source` builds
all of this from a :class:`~fieldhouse.sources.protocol.Source`.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from ..errors import LockBusyError, error_text
from ..settings import Settings, get_settings
from ..sources.audits import Audit
from ..sources.units import Unit, UnitResult
from ..sources.watermarks import set_watermark
from ..stores import Store
from ..stores.counts import Counts
from ..stores.roles import Stores
from . import deadletters, interrupt, ledger
from .audits import run_audits
from .doctor import preflight
from .filled import FillCounts, watching
from .heartbeat import Heartbeat
from .logs import run_context
from .progress import UnitProgress
from .report import RunReport, UnitOutcome
from .statuses import FAILED, PARTIAL, RUNNING, SKIPPED, SUCCESS

log = logging.getLogger("fieldhouse.runs")



def compaction_advice(data: Any, counts: dict[str, dict[str, int]]) -> list[str]:
    """For a lake: each table this run wrote that now has many small files."""
    if getattr(data, "dialect", None) != "delta":
        return []
    from ..stores.lake import small_files

    out = []
    try:
        tables = {e.name: e.table for e in data.tables()}
        for name, per_table in counts.items():
            if name in tables and per_table.get("inserted", 0) + per_table.get("updated", 0) + per_table.get("deleted", 0):
                n = small_files(data, tables[name])
                if n:
                    out.append(f"table {name} has {n} small files: run fieldhouse lake optimize --table {name}")
    except Exception as exc:  # advice only: never fails a run
        log.debug("compaction advice failed: %s", exc)
    return out

def run_unit(stores: Stores, unit: Unit, run: ledger.RunRecord) -> UnitOutcome:
    """Run one unit of a recorded run: fetch, then write its rows to the data store and
    record it in the control store (its unit row, its watermarks, the closing of its dead
    letter): one transaction when the stores can share one, else the data first.  Errors of
    the unit become a failed outcome and a dead letter; errors recording the failure
    propagate (the database is gone: the run cannot go on)."""
    source, control = run.row["source"], stores.control
    letter = deadletters.get(control, source, unit.key)
    retrying = letter is not None and letter["status"] == deadletters.OPEN
    attempts = (letter["attempts"] or 0) + 1 if retrying else 1
    started_at = ledger.stamp()
    started = time.monotonic()
    done = getattr(unit, "done", None)
    if callable(done) and done(control):
        control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
            run, unit.key, unit.kind, SKIPPED, attempts=0, started_at=started_at, duration=0.0)])
        log.info("unit %s skipped: the source says it is already complete", unit.key)
        return UnitOutcome(unit.key, unit.kind, SKIPPED, attempts=0)
    control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
        run, unit.key, unit.kind, RUNNING, attempts=attempts, started_at=started_at)])
    outcome = UnitOutcome(unit.key, unit.kind, SUCCESS, attempts=attempts)
    conflicts: list[dict[str, Any]] = []

    def write_data() -> UnitResult:
        fills = FillCounts()
        with watching(stores.data, fills, run.conflicts.cap):
            written = UnitResult.of(unit.write(stores.data, fetched))
        outcome.tables = Counts.of(written.tables)
        outcome.filled = fills.as_dict()
        outcome.duration = time.monotonic() - started
        return written

    def record(written: UnitResult) -> None:
        for scope, value in written.watermarks.items():
            set_watermark(control, source, scope, value)
        control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
            run, unit.key, unit.kind, SUCCESS, attempts=attempts, started_at=started_at,
            duration=outcome.duration, counts=outcome.counts(), filled=outcome.filled)])
        conflicts[:] = run.conflicts.rows(unit.key, written.tables, ledger.stamp())
        run.conflicts.write(control, conflicts)
        if retrying:
            deadletters.resolve(control, letter, by=run.run_id)
            outcome.dead_letter = "closed"

    try:
        fetched = unit.fetch()
        stores.commit(write_data, record)
        run.conflicts.taken(conflicts)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the unit's transaction rolled back
        why = interrupt.reason(exc)
        log.error("unit %s %s", unit.key, why)
        control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
            run, unit.key, unit.kind, FAILED, attempts=attempts, started_at=started_at,
            duration=time.monotonic() - started, error=why)])
        raise
    except Exception as exc:  # isolation: one unit's failure never stops the run
        duration = time.monotonic() - started
        message, trace = error_text(exc), traceback.format_exc()
        log.error("unit %s failed: %s", unit.key, message)
        with control.transaction():
            control.upsert(ledger.UNITS_TABLE, [ledger.unit_row(
                run, unit.key, unit.kind, FAILED, attempts=attempts, started_at=started_at,
                duration=duration, error=message, traceback=trace)])
            deadletters.record_failure(control, source=source, unit_key=unit.key, kind=unit.kind,
                                       run_id=run.run_id, error=message, traceback=trace, exc=exc, unit=unit)
        return UnitOutcome(unit.key, unit.kind, FAILED, error=message, traceback=trace,
                           duration=duration, attempts=attempts, dead_letter="opened")
    if outcome.dead_letter == "closed":
        log.info("unit %s succeeded on attempt %d: its dead letter is resolved", unit.key, attempts)
    log.info("unit %s done: %s", unit.key,
             ", ".join(f"{name} {r.counts()}" for name, r in sorted(outcome.tables.items())) or "nothing written")
    return outcome


def _summary(outcomes: list[UnitOutcome]) -> str | None:
    failed = [u for u in outcomes if u.status == FAILED]
    if not failed:
        return None
    shown = "; ".join(f"{u.key}: {u.error}" for u in failed[:5])
    more = f"; and {len(failed) - 5} more" if len(failed) > 5 else ""
    return f"{len(failed)} of {len(outcomes)} units failed: {shown}{more}"


def _status(outcomes: list[UnitOutcome]) -> str:
    failed = sum(u.status == FAILED for u in outcomes)
    if not failed:
        return SUCCESS
    return FAILED if failed == sum(u.status != SKIPPED for u in outcomes) else PARTIAL


def _plan(control: Store, source: str, units: list[Unit],
          unit_for_key: Callable[[str], Unit | None] | None) -> list[Unit]:
    """Open dead letters of the source first (rebuilt by ``unit_for_key``, or found among
    ``units``), then the other units, each key once."""
    by_key = {u.key: u for u in units}
    first: list[Unit] = []
    for letter in deadletters.list_letters(control, source=source):
        key = letter["unit_key"]
        unit = by_key.get(key)
        if unit is None and unit_for_key is not None:
            try:
                unit = unit_for_key(key)
            except Exception as exc:
                log.warning("dead letter %s (%s): cannot rebuild the unit: %s", letter["id"], key, error_text(exc))
        if unit is None:
            log.warning("dead letter %s (%s) stays open: this run cannot retry it", letter["id"], key)
            continue
        log.info("retrying dead letter %s (%s), failed %d time(s) so far", letter["id"], key, letter["attempts"])
        first.append(unit)
    keys = {u.key for u in first}
    rest = []
    for unit in units:
        if unit.key not in keys:
            keys.add(unit.key)
            rest.append(unit)
    return first + rest


def _abandon_dead(control: Store, record: ledger.RunRecord, stale_after: float) -> list[str]:
    """Mark the source's other ``running`` runs abandoned: we hold the source's lock, which
    a live run would hold, so their process (or its connection) is gone."""
    gone = []
    for run in ledger.list_runs(control, source=record.row["source"], status=RUNNING):
        if run["run_id"] == record.run_id:
            continue
        if run["command"] == "watch" and not ledger.looks_dead(run, stale_after=stale_after):
            continue  # a watch holds the lock of its day, not the source's: alive, it is left alone
        reason = ledger.looks_dead(run, stale_after=stale_after) or (
            f"it no longer holds the lock of source {run['source']} (its process or connection is gone)")
        ledger.abandon(control, run, reason)
        log.warning("run %s (%s %s, started %s) marked abandoned: %s", run["run_id"], run["source"],
                    run["command"], f"{run['started_at']:%Y-%m-%d %H:%M:%S}", reason)
        gone.append(run["run_id"])
    return gone


def lock_name(source: str) -> str:
    return f"fieldhouse-run-{source}"


def execute_run(
    store: Store,
    *,
    source: str,
    command: str,
    arguments: Mapping[str, Any] | None = None,
    units: Iterable[Unit] | Callable[[], Iterable[Unit]],
    http_calls: Callable[[], int] | None = None,
    api_check: Callable[[], Any] | None = None,
    audits: Iterable[Audit] | None = None,
    unit_for_key: Callable[[str], Unit | None] | None = None,
    settings: Settings | None = None,
    lock_wait: float | None = None,
    progress: UnitProgress | None = None,
    api_skipped_because: str = "reading an archive: no API call needed",
    control: Store | None = None,
    executor: Any = None,
    job_for: Callable[[str], Any] | None = None,
) -> RunReport:
    """Run ``units`` of ``source`` as one recorded run; see docs/runs.md.

    ``store`` is the data store, ``control`` the store of the ledger (default: ``store``).
    ``units`` may be a callable, called after the pre-flight and once the lock is held.
    ``unit_for_key(key)`` rebuilds a unit from the key of an open dead letter (None: cannot).
    A unit may offer ``done(control) -> bool``: True skips it (e.g. its watermark covers it).
    Never raises for a failure of the source or the database: the report says what happened
    (``status``, ``error``, ``exit_code``); KeyboardInterrupt (Ctrl-C, or SIGTERM under
    :func:`~fieldhouse.runs.interrupt.terminate_raises`) is recorded, then re-raised.
    ``executor`` (an open :class:`~fieldhouse.runs.executors.Executor` whose ``distributed``
    is true) runs the units on workers, each from ``job_for(unit key)``, a picklable
    :class:`~fieldhouse.runs.executors.UnitJob` (docs/scale.md); default: in this process.
    """
    stores = Stores.of(store, control)
    control = stores.control
    settings = settings or get_settings()
    wait = settings.run_lock_wait if lock_wait is None else lock_wait
    progress = progress or UnitProgress(f"{source} {command}")
    record = ledger.RunRecord(source, command, arguments, conflict_sample=settings.alerts.conflict_sample)
    report = RunReport(record.run_id, source, command)
    base_calls = http_calls() if http_calls else 0
    worker_calls = [0]  # HTTP calls the workers of a distributed run reported

    def calls() -> int:
        return ((http_calls() - base_calls) if http_calls else 0) + worker_calls[0]

    def finish(status: str, error: str | None = None) -> RunReport:
        report.status, report.error, report.http_calls = status, error, calls()
        report.suggestions = compaction_advice(stores.data, report.counts())
        failed = [u for u in report.units if u.status == FAILED]
        record.update(
            status=status, error=error, finished_at=datetime.now(UTC), counts=report.counts(),
            http_calls=report.http_calls, units_total=len(report.units), units_failed=len(failed),
            filled=report.filled(),
            units_skipped=sum(u.status == SKIPPED for u in report.units),
            preflight=report.preflight.as_dict() if report.preflight else None,
            audit=report.audit.as_dict() if report.audit else None,
            dead_letters={"opened": report.dead_letters_opened, "closed": report.dead_letters_closed,
                          "open": report.dead_letters_open},
        )
        try:
            record.save(control)
        except Exception as exc:
            log.error("run %s could not be recorded: %s", record.run_id, error_text(exc))
        log.log(logging.INFO if status == SUCCESS else logging.WARNING, "run %s %s %s: %s%s",
                record.run_id, source, command, status, f" ({error})" if error else "")
        return report

    with run_context(record.run_id):
        log.info("run %s: %s %s %s", record.run_id, source, command,
                 " ".join(f"{k}={v}" for k, v in (arguments or {}).items()))
        report.preflight = preflight(control, api_check, api_skipped_because=api_skipped_because,
                                     data=stores.data)
        if not report.preflight.ok:
            return finish(FAILED, f"pre-flight failed: {report.preflight.reason()}")
        try:
            with control.lock(lock_name(source), wait=wait):
                return _locked_run(stores, record, report, finish, units=units, audits=audits,
                                   unit_for_key=unit_for_key, settings=settings, progress=progress,
                                   distributed=(executor, job_for, worker_calls)
                                   if getattr(executor, "distributed", False) else None)
        except LockBusyError:
            others = [r for r in ledger.list_runs(control, source=source, status=RUNNING)
                      if r["run_id"] != record.run_id]
            holder = (f" (run {others[0]['run_id']}, pid {others[0]['pid']} on {others[0]['host']}, "
                      f"started {others[0]['started_at']:%Y-%m-%d %H:%M:%S} UTC)") if others else ""
            return finish(FAILED, f"another {source} run is in progress{holder}; waited {wait:g} s: "
                                  "try again when it has finished")


def _outcomes(stores: Stores, plan: list[Unit], record: ledger.RunRecord, progress: UnitProgress,
              distributed) -> Iterable[UnitOutcome]:
    """Each unit's outcome: run here one after the other, or on the executor's workers."""
    if distributed is None:
        for unit in plan:
            progress.unit_started(unit.key)
            yield run_unit(stores, unit, record)
        return
    from .executors.driver import run_units

    executor, job_for, worker_calls = distributed
    for outcome, calls in run_units(stores, plan, record, executor, job_for):
        worker_calls[0] += calls
        yield outcome


def _locked_run(stores: Stores, record: ledger.RunRecord, report: RunReport, finish, *, units, audits,
                unit_for_key, settings: Settings, progress: UnitProgress, distributed=None) -> RunReport:
    source, control = record.row["source"], stores.control
    heartbeat = Heartbeat(control, record, settings.run_heartbeat_interval)
    try:
        report.abandoned = _abandon_dead(control, record, settings.run_stale_after)
        record.save(control)
        heartbeat.start()
        given = list(units() if callable(units) else units)
        plan = _plan(control, source, given, unit_for_key)
        record.update(units_total=len(plan))
        progress.start(len(plan))
        try:
            for outcome in _outcomes(stores, plan, record, progress, distributed):
                report.units.append(outcome)
                if outcome.dead_letter == "opened":
                    report.dead_letters_opened.append(outcome.key)
                elif outcome.dead_letter == "closed":
                    report.dead_letters_closed.append(outcome.key)
                progress.unit_done(outcome.key, outcome.status, outcome.error or "")
                record.update(counts=report.counts(), http_calls=report.http_calls, filled=report.filled(),
                              units_failed=sum(u.status == FAILED for u in report.units))
                record.save(control)  # between units: progress and a heartbeat
        finally:
            progress.close()
        report.dead_letters_open = len(deadletters.list_letters(control, source=source))
        status, error = _status(report.units), _summary(report.units)
        if audits is not None:
            report.audit = run_audits(stores.data, audits)
            if not report.audit.passed:
                error = "; ".join(p for p in (error, report.audit.summary()) if p)
                if status == SUCCESS:
                    status = PARTIAL
        return finish(status, error)
    except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM (see runs/interrupt.py)
        finish(FAILED, interrupt.reason(exc))
        raise
    except Exception as exc:
        log.exception("run %s stopped: %s", record.run_id, error_text(exc))
        return finish(FAILED, f"stopped: {error_text(exc)}")
    finally:
        heartbeat.stop()
