"""The service's response models: the query layer's models (runs, units, dead letters,
audits, tables) and the few shapes only the service has (the system status, a page of runs,
a run's conflicts, health).  Every endpoint answers one of these, errors included."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from ..query import AuditSummary, DeadLetter, OpenDeadLetter, RunDetail, RunSummary, UnitRecord
from .bridge import Alert, ConflictRecord

State = Literal["ok", "degraded", "down"]


class ErrorBody(BaseModel):
    """What an endpoint answers with a 4xx or 5xx status."""

    detail: str


class DatabaseState(BaseModel):
    reachable: bool
    dialect: str
    schema_version: int | None = None
    expected_schema_version: int


class RunView(BaseModel):
    """A run as the status shows it: rows per table and outcome, HTTP calls, errors."""

    run_id: str
    source: str
    command: str
    status: str
    started_at: datetime
    finished_at: datetime | None = None
    duration_seconds: float | None = None
    rows: dict[str, dict[str, int]] = {}
    http_calls: int = 0
    units_total: int = 0
    units_failed: int = 0
    error: str | None = None
    errors: list[str] = []
    looks_dead: str | None = None
    link: str


class RunningRun(BaseModel):
    run_id: str
    source: str
    command: str
    started_at: datetime
    heartbeat: datetime | None = None
    heartbeat_age_seconds: float | None = None
    looks_dead: str | None = None


class SourceState(BaseModel):
    source: str
    last_run: RunView | None = None
    last_success_at: datetime | None = None
    running: list[RunningRun] = []


class TableState(BaseModel):
    """A table: its rows, newest version and how old that is (``freshness_seconds``, for a
    timestamp or date version)."""

    table: str
    rows: int
    newest_column: str | None = None
    newest: Any = None
    freshness_seconds: float | None = None


class SystemStatus(BaseModel):
    """``GET /api/v1/system/status``: the overall state and why, and everything behind it."""

    state: State
    reasons: list[str]
    checked_at: datetime
    database: DatabaseState
    sources: list[SourceState] = []
    tables: list[TableState] = []
    open_dead_letters: list[OpenDeadLetter] = []
    last_audit: AuditSummary | None = None
    failing_audits: list[dict[str, Any]] = []
    alerts: list[Alert] = []


class RunPage(BaseModel):
    """A page of runs, newest first; ``next_cursor`` fetches the next page (None: the last)."""

    runs: list[RunSummary]
    next_cursor: str | None = None


class RunError(BaseModel):
    unit_key: str
    kind: str | None = None
    status: str
    error: str


class RunWithErrors(RunDetail):
    """One run with its units, the errors of its failed units and its conflict counts."""

    errors: list[RunError] = []
    conflict_counts: dict[str, dict[str, int]] = {}


class ConflictPage(BaseModel):
    run_id: str
    counts: dict[str, dict[str, int]] = {}
    conflicts: list[ConflictRecord] = []
    limit: int
    offset: int


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    ready: bool
    database: DatabaseState
    reason: str | None = None


__all__ = ["Alert", "AuditSummary", "ConflictPage", "DatabaseState", "DeadLetter", "ErrorBody", "Health",
           "Readiness", "RunError", "RunPage", "RunSummary", "RunView", "RunWithErrors", "RunningRun",
           "SourceState", "SystemStatus", "TableState", "UnitRecord"]
