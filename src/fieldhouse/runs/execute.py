"""One recorded run of a source: pre-flight, the source's lock, abandoned runs, dead letters
first, then each unit in isolation, then audits; everything in the ledger (docs/runs.md).

::

    report = execute_run(store, source="nba", command="sync", arguments={"season": "2018-19"},
                         units=units, unit_for_key=unit_for_key, http_calls=lambda: client.sent,
                         api_check=tiny_request_or_None, audits=audits_for(season="2018-19"))
    report.status, report.exit_code, report.counts()
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import LockBusyError, error_text
from ..settings import Settings, get_settings
from ..stores import Store, UpsertResult, connect
from . import deadletters, ledger
from .audits import Audit, AuditReport, run_audits
from .doctor import DoctorReport, preflight
from .logs import run_context
from .progress import UnitProgress
from .runner import FAILED, PARTIAL, SKIPPED, SUCCESS, UnitOutcome, run_recorded_unit
from .units import Unit

log = logging.getLogger("fieldhouse.runs")

EXIT_CODES = {SUCCESS: 0, FAILED: 1, PARTIAL: 3}


@dataclass
class RunReport:
    """What a run did; the same facts are in the ledger under ``run_id``."""

    run_id: str
    source: str
    command: str
    status: str = ledger.RUNNING
    error: str | None = None
    units: list[UnitOutcome] = field(default_factory=list)
    http_calls: int = 0
    preflight: DoctorReport | None = None
    audit: AuditReport | None = None
    abandoned: list[str] = field(default_factory=list)
    dead_letters_opened: list[str] = field(default_factory=list)
    dead_letters_closed: list[str] = field(default_factory=list)
    dead_letters_open: int = 0

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

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.status, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "source": self.source, "command": self.command,
            "status": self.status, "exit_code": self.exit_code, "error": self.error,
            "counts": self.counts(), "tables": self.counts(), "http_calls": self.http_calls,
            "units": [u.as_dict() for u in self.units],
            "preflight": self.preflight.as_dict() if self.preflight else None,
            "audit": self.audit.as_dict() if self.audit else None,
            "abandoned_runs": self.abandoned,
            "dead_letters": {"opened": self.dead_letters_opened, "closed": self.dead_letters_closed,
                             "open": self.dead_letters_open},
        }


class Heartbeat:
    """Rewrites the run's ledger row every ``interval`` seconds from a thread with its own
    database connection, so a long fetch still shows the run alive."""

    def __init__(self, store: Store, record: ledger.RunRecord, interval: float) -> None:
        self.record = record
        self.interval = interval
        self.url = store.url
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.own_connection = not (store.dialect == "sqlite" and store.url.sqlite_path == ":memory:")

    def start(self) -> None:
        if self.own_connection:
            self._thread = threading.Thread(target=self._beat, name="fieldhouse-heartbeat", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        with run_context(self.record.run_id):
            try:
                store = connect(self.url)
            except Exception as exc:
                log.warning("heartbeat: cannot connect (%s); the run beats between units only", exc)
                return
            try:
                while not self._stop.wait(self.interval):
                    try:
                        self.record.save(store)
                    except Exception as exc:
                        log.warning("heartbeat not written: %s", error_text(exc))
            finally:
                store.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


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


def _plan(store: Store, source: str, units: list[Unit],
          unit_for_key: Callable[[str], Unit | None] | None) -> list[Unit]:
    """Open dead letters of the source first (rebuilt by ``unit_for_key``, or found among
    ``units``), then the other units, each key once."""
    by_key = {u.key: u for u in units}
    first: list[Unit] = []
    for letter in deadletters.list_letters(store, source=source):
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


def _abandon_dead(store: Store, record: ledger.RunRecord, stale_after: float) -> list[str]:
    """Mark the source's other ``running`` runs abandoned: we hold the source's lock, which
    a live run would hold, so their process (or its connection) is gone."""
    gone = []
    for run in ledger.list_runs(store, source=record.row["source"]):
        if run["status"] != ledger.RUNNING or run["run_id"] == record.run_id:
            continue
        reason = ledger.looks_dead(run, stale_after=stale_after) or (
            f"it no longer holds the lock of source {run['source']} (its process or connection is gone)")
        ledger.abandon(store, run, reason)
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
) -> RunReport:
    """Run ``units`` of ``source`` as one recorded run; see docs/runs.md.

    ``units`` may be a callable, called after the pre-flight and once the lock is held.
    ``unit_for_key(key)`` rebuilds a unit from the key of an open dead letter (None: cannot).
    A unit may offer ``done(store) -> bool``: True skips it (e.g. its watermark covers it).
    Never raises for a failure of the source or the database: the report says what happened
    (``status``, ``error``, ``exit_code``); KeyboardInterrupt is recorded, then re-raised.
    """
    settings = settings or get_settings()
    wait = settings.run_lock_wait if lock_wait is None else lock_wait
    progress = progress or UnitProgress(f"{source} {command}")
    record = ledger.RunRecord(source, command, arguments)
    report = RunReport(record.run_id, source, command)
    base_calls = http_calls() if http_calls else 0

    def calls() -> int:
        return (http_calls() - base_calls) if http_calls else 0

    def finish(status: str, error: str | None = None) -> RunReport:
        report.status, report.error, report.http_calls = status, error, calls()
        failed = [u for u in report.units if u.status == FAILED]
        record.update(
            status=status, error=error, finished_at=datetime.now(UTC), counts=report.counts(),
            http_calls=report.http_calls, units_total=len(report.units), units_failed=len(failed),
            units_skipped=sum(u.status == SKIPPED for u in report.units),
            preflight=report.preflight.as_dict() if report.preflight else None,
            audit=report.audit.as_dict() if report.audit else None,
            dead_letters={"opened": report.dead_letters_opened, "closed": report.dead_letters_closed,
                          "open": report.dead_letters_open},
        )
        try:
            record.save(store)
        except Exception as exc:
            log.error("run %s could not be recorded: %s", record.run_id, error_text(exc))
        log.log(logging.INFO if status == SUCCESS else logging.WARNING, "run %s %s %s: %s%s",
                record.run_id, source, command, status, f" ({error})" if error else "")
        return report

    with run_context(record.run_id):
        log.info("run %s: %s %s %s", record.run_id, source, command,
                 " ".join(f"{k}={v}" for k, v in (arguments or {}).items()))
        report.preflight = preflight(store, api_check, api_skipped_because=api_skipped_because)
        if not report.preflight.ok:
            return finish(FAILED, f"pre-flight failed: {report.preflight.reason()}")
        try:
            with store.lock(lock_name(source), wait=wait):
                return _locked_run(store, record, report, finish, units=units, audits=audits,
                                   unit_for_key=unit_for_key, settings=settings, progress=progress)
        except LockBusyError:
            others = [r for r in ledger.list_runs(store, source=source)
                      if r["status"] == ledger.RUNNING and r["run_id"] != record.run_id]
            holder = (f" (run {others[0]['run_id']}, pid {others[0]['pid']} on {others[0]['host']}, "
                      f"started {others[0]['started_at']:%Y-%m-%d %H:%M:%S} UTC)") if others else ""
            return finish(FAILED, f"another {source} run is in progress{holder}; waited {wait:g} s: "
                                  "try again when it has finished")


def _locked_run(store: Store, record: ledger.RunRecord, report: RunReport, finish, *, units, audits,
                unit_for_key, settings: Settings, progress: UnitProgress) -> RunReport:
    source = record.row["source"]
    heartbeat = Heartbeat(store, record, settings.run_heartbeat_interval)
    try:
        report.abandoned = _abandon_dead(store, record, settings.run_stale_after)
        record.save(store)
        heartbeat.start()
        given = list(units() if callable(units) else units)
        plan = _plan(store, source, given, unit_for_key)
        record.update(units_total=len(plan))
        progress.start(len(plan))
        try:
            for unit in plan:
                progress.unit_started(unit.key)
                outcome = run_recorded_unit(store, unit, record)
                report.units.append(outcome)
                if outcome.dead_letter == "opened":
                    report.dead_letters_opened.append(unit.key)
                elif outcome.dead_letter == "closed":
                    report.dead_letters_closed.append(unit.key)
                progress.unit_done(unit.key, outcome.status, outcome.error or "")
                record.update(counts=report.counts(), http_calls=report.http_calls,
                              units_failed=sum(u.status == FAILED for u in report.units))
                record.save(store)  # between units: progress and a heartbeat
        finally:
            progress.close()
        report.dead_letters_open = len(deadletters.list_letters(store, source=source))
        status, error = _status(report.units), _summary(report.units)
        if audits is not None:
            report.audit = run_audits(store, audits)
            if not report.audit.passed:
                error = "; ".join(p for p in (error, report.audit.summary()) if p)
                if status == SUCCESS:
                    status = PARTIAL
        return finish(status, error)
    except KeyboardInterrupt:
        finish(FAILED, "interrupted (Ctrl-C)")
        raise
    except Exception as exc:
        log.exception("run %s stopped: %s", record.run_id, error_text(exc))
        return finish(FAILED, f"stopped: {error_text(exc)}")
    finally:
        heartbeat.stop()
