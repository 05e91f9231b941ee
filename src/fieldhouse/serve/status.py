"""The system status (``/api/v1/system/status``, the dashboard): facts read through the query
layer, and the overall state derived from them: ``down`` (the database cannot be read),
``degraded`` (a last run that did not succeed, a run that looks dead, open dead letters, a
failing audit, an active alert) or ``ok``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from .. import query
from ..runs import ledger
from ..settings import Settings
from . import bridge
from .db import installed_sources, schema_problem
from .models import DatabaseState, RunningRun, RunView, SourceState, SystemStatus, TableState

NOT_OK = ("failed", "partial", "abandoned")


def database_state(settings: Settings, *, reachable: bool, version: int | None = None) -> DatabaseState:
    return DatabaseState(reachable=reachable, dialect=settings.database.dialect, schema_version=version,
                         expected_schema_version=ledger.SCHEMA_VERSION)


def down(settings: Settings, reason: str, *, reachable: bool = False, version: int | None = None) -> SystemStatus:
    return SystemStatus(state="down", reasons=[reason], checked_at=datetime.now(UTC),
                        database=database_state(settings, reachable=reachable, version=version))


def freshness(newest: Any, now: datetime) -> float | None:
    if isinstance(newest, datetime):
        stamp = newest if newest.tzinfo else newest.replace(tzinfo=UTC)
    elif isinstance(newest, date):
        stamp = datetime(newest.year, newest.month, newest.day, tzinfo=UTC)
    else:
        return None
    return round((now - stamp).total_seconds(), 3)


def table_states(data: Any, control: Any, sources: list[Any], now: datetime) -> list[TableState]:
    return [TableState(**t.model_dump(), freshness_seconds=freshness(t.newest, now))
            for t in query.tables(data, control, sources)]


def run_view(run: query.RunSummary, control: Any | None = None) -> RunView:
    duration = (run.finished_at - run.started_at).total_seconds() if run.finished_at else None
    errors: list[str] = []
    if control is not None and run.units_failed:
        detail = query.run(control, run.run_id)
        errors = [f"{u.unit_key}: {u.error}" for u in (detail.units if detail else []) if u.error][:10]
    return RunView(run_id=run.run_id, source=run.source, command=run.command, status=run.status,
                   started_at=run.started_at, finished_at=run.finished_at, duration_seconds=duration,
                   rows=run.counts or {}, http_calls=run.http_calls or 0, units_total=run.units_total or 0,
                   units_failed=run.units_failed or 0, error=run.error, errors=errors,
                   looks_dead=run.looks_dead, link=f"/api/v1/runs/{run.run_id}")


def source_states(control: Any, runs: list[query.RunSummary], now: datetime) -> list[SourceState]:
    found: dict[str, SourceState] = {}
    for run in runs:  # newest first
        state = found.get(run.source)
        if state is None:
            state = found[run.source] = SourceState(source=run.source, last_run=run_view(run, control))
        if state.last_success_at is None and run.status == "success":
            state.last_success_at = run.started_at
        if run.status == "running":
            age = (now - run.heartbeat).total_seconds() if run.heartbeat else None
            state.running.append(RunningRun(run_id=run.run_id, source=run.source, command=run.command,
                                            started_at=run.started_at, heartbeat=run.heartbeat,
                                            heartbeat_age_seconds=age, looks_dead=run.looks_dead))
    return list(found.values())


def system_status(data: Any, control: Any, settings: Settings) -> SystemStatus:
    """The status of a reachable database (``down`` if its schema version is not ours)."""
    now = datetime.now(UTC)
    version, problem = schema_problem(control)
    if problem:
        return down(settings, problem, reachable=True, version=version)
    sources = installed_sources()
    runs = query.runs(control, stale_after=settings.run_stale_after)
    states = source_states(control, runs, now)
    letters = [query.OpenDeadLetter(**d.model_dump()) for d in query.dead_letters(control)]
    audit = query.last_audit(control)
    failing = [r for r in (audit.results if audit else []) if not r.get("passed")]
    alerts = bridge.alerts(data, control, sources, settings)
    reasons = []
    for state in states:
        last = state.last_run
        if last is not None and last.status in NOT_OK:
            reasons.append(f"the last {state.source} run {last.run_id} {last.status}")
        reasons += [f"{state.source} run {r.run_id} looks dead: {r.looks_dead}" for r in state.running if r.looks_dead]
    if letters:
        reasons.append(f"{len(letters)} open dead letter{'s' if len(letters) != 1 else ''}")
    if failing:
        reasons.append(f"audit failing: {', '.join(str(r.get('name')) for r in failing)}")
    reasons += [f"alert {a.name}: {a.message}" for a in alerts]
    return SystemStatus(state="degraded" if reasons else "ok", reasons=reasons, checked_at=now,
                        database=database_state(settings, reachable=True, version=version), sources=states,
                        tables=table_states(data, control, sources, now), open_dead_letters=letters,
                        last_audit=audit, failing_audits=failing, alerts=alerts)
