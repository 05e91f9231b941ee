"""``fieldhouse watch SOURCE``: one recorded run that polls a day's games until each is done
(docs/live.md).

The run holds the lock of its scope (source and day: ``fieldhouse-watch-example-2024-07-01``),
not the source's, so the nightly sync of other dates runs beside it; a second watch of
the same day waits ``FIELDHOUSE_RUN_LOCK_WAIT`` seconds, then is recorded as failed with
the holder named (exit code 1).  Each poll is one unit (:func:`~fieldhouse.runs.execute.run_unit`:
its own transaction, a dead letter while it fails); the run's row beats from a thread and
is rewritten after every poll.  SIGINT and SIGTERM stop the loop after the current poll
(the run is recorded failed, ``interrupted (Ctrl-C)`` / ``terminated (SIGTERM)``, and the
KeyboardInterrupt raised again: exit 130 / 143); a second signal interrupts at once.  After SIGKILL the next watch marks the dead
run abandoned and each game resumes from its newest stored capture.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ...errors import LockBusyError, error_text
from ...settings import Settings
from ...sources.watching import Polled, Watched, WatchPlan
from ...stores.counts import Counts
from ...stores.roles import Stores
from .. import interrupt, ledger
from ..doctor import preflight
from ..execute import run_unit
from ..filled import merge
from ..heartbeat import Heartbeat
from ..logs import run_context
from ..report import RunReport, UnitOutcome
from ..statuses import FAILED, PARTIAL, RUNNING, SUCCESS
from .clock import RealClock
from .intervals import Rules

log = logging.getLogger("fieldhouse.watch")


def lock_name(source: str, scope: str) -> str:
    return f"fieldhouse-watch-{source}-{scope}"


@dataclass
class WatchEvent:
    """One poll, for progress: which game, when (monotonic and UTC), what it found, when next."""

    key: str
    at: float
    when: datetime
    status: str
    polled: Polled | None
    next_in: float | None
    error: str | None = None


@dataclass
class WatchReport(RunReport):
    """A watch's report: ``units`` holds one outcome per watched game (its counts summed
    over its polls, the status and error of its last poll), so a day of polls costs what a
    handful of units cost; ``polls`` and ``failed_polls`` count the polls."""

    polls: int = 0
    failed_polls: int = 0
    by_key: dict[str, UnitOutcome] = field(default_factory=dict, repr=False)

    def add(self, outcome: UnitOutcome) -> None:
        self.polls += 1
        self.failed_polls += outcome.status == FAILED
        held = self.by_key.get(outcome.key)
        if held is None:
            self.by_key[outcome.key] = outcome
            self.units.append(outcome)
            return
        held.tables = Counts.of(held.tables, outcome.tables)
        held.filled = merge([held.filled, outcome.filled])
        held.status, held.error, held.traceback = outcome.status, outcome.error, outcome.traceback
        held.duration += outcome.duration
        held.attempts, held.dead_letter = outcome.attempts, outcome.dead_letter or held.dead_letter

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "polls": self.polls, "failed_polls": self.failed_polls}


class _Signals:
    """SIGINT / SIGTERM set ``stop`` (the loop ends after the current poll); a second one
    raises as usual.  Only in the main thread; elsewhere nothing is installed."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop, self.received, self._previous = stop, None, {}

    def _handle(self, signum: int, frame: object) -> None:
        if self.stop.is_set():
            raise interrupt.Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
        self.received = interrupt.Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()
        log.warning("%s: stopping after the current poll", interrupt.reason(self.received))
        self.stop.set()

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)


def run_watch(stores: Stores, *, source: str, plan: WatchPlan, arguments: dict[str, Any], settings: Settings,
              http_calls: Callable[[], int] | None = None, clock: Any = None, rng: random.Random | None = None,
              on_event: Callable[[WatchEvent], None] | None = None, stop: threading.Event | None = None,
              lock_wait: float | None = None) -> RunReport:
    """The recorded run of a watch (see the module docstring); never raises for a failure
    of the source or the database: the report says what happened."""
    control = stores.control
    clock = clock or RealClock()
    stop = stop or threading.Event()
    record = ledger.RunRecord(source, "watch", arguments, conflict_sample=settings.alerts.conflict_sample)
    report = WatchReport(record.run_id, source, "watch")
    wait = settings.run_lock_wait if lock_wait is None else lock_wait
    base_calls = http_calls() if http_calls else 0

    def finish(status: str, error: str | None = None) -> RunReport:
        report.status, report.error = status, error
        report.http_calls = (http_calls() - base_calls) if http_calls else 0
        record.update(status=status, error=error, finished_at=datetime.now(UTC), counts=report.counts(),
                      filled=report.filled(),
                      http_calls=report.http_calls, units_total=report.polls, units_failed=report.failed_polls,
                      preflight=report.preflight.as_dict() if report.preflight else None)
        try:
            record.save(control)
        except Exception as exc:
            log.error("run %s could not be recorded: %s", record.run_id, error_text(exc))
        log.log(logging.INFO if status == SUCCESS else logging.WARNING, "run %s %s watch %s: %s%s",
                record.run_id, source, plan.scope, status, f" ({error})" if error else "")
        return report

    with run_context(record.run_id):
        log.info("run %s: %s watch %s", record.run_id, source, " ".join(f"{k}={v}" for k, v in arguments.items()))
        report.preflight = preflight(control, None, api_skipped_because="watch: its first poll reaches the API",
                                     data=stores.data)
        if not report.preflight.ok:
            return finish(FAILED, f"pre-flight failed: {report.preflight.reason()}")
        try:
            with control.lock(lock_name(source, plan.scope), wait=wait):
                return _locked(stores, record, report, finish, plan=plan, settings=settings, clock=clock,
                               rng=rng or random.Random(), on_event=on_event, stop=stop)
        except LockBusyError:
            others = [r for r in _running_watches(control, source, plan.scope) if r["run_id"] != record.run_id]
            holder = (f" (run {others[0]['run_id']}, pid {others[0]['pid']} on {others[0]['host']}, started "
                      f"{others[0]['started_at']:%Y-%m-%d %H:%M:%S} UTC)") if others else ""
            return finish(FAILED, f"another {source} watch of {plan.scope} is in progress{holder}; "
                                  f"waited {wait:g} s: stop it first, or watch another day")


def _running_watches(control: Any, source: str, scope: str) -> list[dict[str, Any]]:
    return [r for r in ledger.list_runs(control, source=source, status=RUNNING)
            if r["command"] == "watch" and (r.get("arguments") or {}).get("date") == scope]


def _locked(stores: Stores, record: ledger.RunRecord, report: WatchReport, finish, *, plan: WatchPlan,
            settings: Settings, clock: Any, rng: random.Random, on_event, stop: threading.Event) -> RunReport:
    control = stores.control
    rules = Rules.from_settings(settings)
    heartbeat = Heartbeat(control, record, settings.run_heartbeat_interval)
    for dead in _running_watches(control, record.row["source"], plan.scope):
        if dead["run_id"] != record.run_id:  # we hold the scope's lock: its holder is gone
            ledger.abandon(control, dead, f"it no longer holds the lock of watch {plan.scope} (its process is gone)")
            log.warning("run %s (watch %s) marked abandoned", dead["run_id"], plan.scope)
            report.abandoned.append(dead["run_id"])
    record.save(control)
    heartbeat.start()
    targets: dict[str, Watched] = {}
    due: dict[str, float] = {}
    quiet: dict[str, int] = {}
    failures: dict[str, int] = {}
    next_read = clock.monotonic()
    try:
        with _Signals(stop) as signals:
            while not stop.is_set():
                now = clock.monotonic()
                if now >= next_read:
                    next_read = now + settings.watch_schedule_every
                    try:
                        for target in plan.targets():
                            if target.key not in targets:
                                targets[target.key] = target
                                due[target.key] = now
                    except Exception as exc:
                        log.warning("watch %s: the list of games could not be read: %s", plan.scope, error_text(exc))
                        if not targets:
                            return finish(FAILED, f"the games to watch could not be read: {error_text(exc)}")
                active = [k for k, t in targets.items() if not (t.last is not None and t.last.done)]
                if not active:
                    break
                key = min(active, key=lambda k: due[k])
                if due[key] > now:
                    clock.pause(min(due[key], next_read) - now, stop)
                    continue
                _poll(stores, record, report, targets[key], rules, rng, clock, due, quiet, failures, on_event)
            if signals.received is not None:  # recorded, then raised: exit 130 / 143
                finish(FAILED, f"{interrupt.reason(signals.received)}: stopped after the current poll")
                raise signals.received
        failing = [u.key for u in report.units if u.status == FAILED]
        return finish(PARTIAL if failing else SUCCESS,
                      f"{len(failing)} game(s) still failing at the end ({', '.join(failing[:5])}); "
                      f"{report.failed_polls} of {report.polls} polls failed" if failing else None)
    except KeyboardInterrupt as exc:  # a second signal: at once (the first one is recorded already)
        if record.row.get("status") == RUNNING:
            finish(FAILED, interrupt.reason(exc))
        raise
    except Exception as exc:
        log.exception("run %s stopped: %s", record.run_id, error_text(exc))
        return finish(FAILED, f"stopped: {error_text(exc)}")
    finally:
        heartbeat.stop()


def _poll(stores: Stores, record: ledger.RunRecord, report: WatchReport, target: Watched, rules: Rules,
          rng: random.Random, clock: Any, due: dict[str, float], quiet: dict[str, int],
          failures: dict[str, int], on_event) -> None:
    key, at = target.key, clock.monotonic()
    before = target.last
    outcome = run_unit(stores, target, record)
    report.add(outcome)
    if outcome.status == SUCCESS:
        accept = getattr(target, "accept", None)
        if callable(accept):
            accept()
        failures[key] = 0
        polled = target.last
        quiet[key] = 0 if polled is None or polled.changed else quiet.get(key, 0) + 1
        if polled is not None and (polled.changed or before is None or before.state != polled.state):
            shown = polled.shown or {}
            log.info("%s %s %s %s (%s, %s)", key, shown.get("game", ""), shown.get("score", ""),
                     shown.get("inning", ""), polled.state, polled.how)
    else:
        failures[key] = failures.get(key, 0) + 1
    polled = target.last
    interval = None if polled is not None and polled.done and outcome.status == SUCCESS else \
        rules.next_interval(polled, quiet.get(key, 0), failures.get(key, 0), rng)
    due[key] = clock.monotonic() + (interval or 0.0)
    record.update(counts=report.counts(), filled=report.filled(), units_total=report.polls,
                  units_failed=report.failed_polls)
    record.save(stores.control)
    if on_event is not None:
        on_event(WatchEvent(key, at, clock.utcnow(), outcome.status, polled, interval, outcome.error))


__all__ = ["WatchEvent", "WatchReport", "lock_name", "run_watch"]
