"""The typed results of the query layer (pydantic models: the CLI prints them, ``--json``
and the HTTP service serve them as JSON).  Field names and order are those of the ledger
tables, so ``model_dump()`` is what ``--json`` has always printed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class _Result(BaseModel):
    model_config = ConfigDict(extra="ignore")


class RunSummary(_Result):
    """One run as the ledger holds it, and ``looks_dead``: why a ``running`` run seems dead."""

    run_id: str
    source: str
    command: str
    arguments: dict[str, Any] | None = None
    started_at: datetime
    finished_at: datetime | None = None
    status: str
    counts: dict[str, dict[str, int]] | None = None
    units_total: int | None = None
    units_failed: int | None = None
    units_skipped: int | None = None
    http_calls: int | None = None
    error: str | None = None
    preflight: dict[str, Any] | None = None
    audit: dict[str, Any] | None = None
    dead_letters: dict[str, Any] | None = None
    fieldhouse_version: str | None = None
    host: str | None = None
    pid: int | None = None
    heartbeat: datetime | None = None
    filled: dict[str, dict[str, Any]] | None = None
    looks_dead: str | None = None


class UnitRecord(_Result):
    """One unit of a run."""

    run_id: str
    unit_key: str
    kind: str | None = None
    source: str | None = None
    status: str
    attempts: int | None = None
    started_at: datetime | None = None
    duration: float | None = None
    counts: dict[str, dict[str, int]] | None = None
    error: str | None = None
    traceback: str | None = None
    filled: dict[str, dict[str, Any]] | None = None
    #: ``engine:host:pid`` of the process that ran the unit (``local:...`` in the driver).
    worker: str | None = None


class RunDetail(RunSummary):
    """One run with its units (``runs show``)."""

    units: list[UnitRecord] = []


class RunBrief(_Result):
    run_id: str
    command: str
    status: str
    started_at: datetime
    finished_at: datetime | None = None
    error: str | None = None
    looks_dead: str | None = None


class DeadLetter(_Result):
    """A unit that failed for good (``fieldhouse_dead_letters``)."""

    source: str
    unit_key: str
    id: str
    kind: str | None = None
    status: str
    error: str | None = None
    traceback: str | None = None
    attempts: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    first_run_id: str | None = None
    last_run_id: str | None = None
    endpoint: str | None = None
    http_status: int | None = None
    fetch_attempts: int | None = None
    raw_ref: Any = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None


class OpenDeadLetter(_Result):
    id: str
    source: str
    unit_key: str
    attempts: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    error: str | None = None


class TableStatus(_Result):
    """A table fieldhouse manages: its rows and newest version (``newest_column``)."""

    table: str
    rows: int
    newest_column: str | None = None  # None: a table whose declaration is not known (a load target)
    newest: Any = None


class SourceStatus(_Result):
    source: str
    last_run: RunBrief | None = None
    last_success: RunBrief | None = None


class AuditSummary(_Result):
    """The latest recorded audit results (of a run, or a standalone ``fieldhouse audit``)."""

    run_id: str
    source: str
    command: str
    at: datetime
    passed: bool
    results: list[dict[str, Any]] = []


AlertName = Literal["run_failed", "source_overdue", "freshness", "stale_rate", "rejected_rows",
                    "volume_anomaly", "audit_failing", "stale_heartbeat", "schema_drift"]


class Alert(_Result):
    """An active alert (``fieldhouse.query.alerts``; docs/service.md#alerts): which rule,
    about what (source, table, run), why in words, the measured ``value`` against the
    ``threshold``, and where to look (an API path)."""

    name: AlertName
    severity: Literal["warning", "critical"]
    source: str | None = None
    table: str | None = None
    run_id: str | None = None
    message: str
    value: float | None = None
    threshold: float | None = None
    link: str | None = None


class ConflictRecord(_Result):
    """A stale row of a run (the conflict log): its key, the version it came with and the
    version that beat it (stored, or a newer copy in the same batch)."""

    run_id: str
    table: str
    key: dict[str, Any]
    incoming_version: str | None = None
    stored_version: str | None = None
    recorded_at: datetime
    unit_key: str | None = None


class Status(_Result):
    """``fieldhouse status``: the tables, the last run per source, open dead letters, the last audit."""

    database: str
    tables: list[TableStatus]
    sources: list[SourceStatus]
    open_dead_letters: list[OpenDeadLetter]
    last_audit: AuditSummary | None = None
    alerts: list[Alert] = []
