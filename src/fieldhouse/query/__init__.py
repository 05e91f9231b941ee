"""One query layer for every face (the CLI, the HTTP service): plain functions that read the
control and data stores and return typed results (see :mod:`.models`)."""

from .alerting import ALERT_NAMES, alerts
from .conflicts import conflict_counts, conflicts
from .models import (
    Alert,
    AuditSummary,
    ConflictRecord,
    DeadLetter,
    OpenDeadLetter,
    RunBrief,
    RunDetail,
    RunSummary,
    SourceStatus,
    Status,
    TableStatus,
    UnitRecord,
)
from .reads import control_tables, dead_letter, dead_letters, last_audit, run, runs, status, tables

__all__ = [
    "ALERT_NAMES", "Alert", "AuditSummary", "ConflictRecord", "alerts", "conflict_counts", "conflicts", "DeadLetter", "OpenDeadLetter", "RunBrief", "RunDetail", "RunSummary",
    "SourceStatus", "Status", "TableStatus", "UnitRecord", "control_tables", "dead_letter",
    "dead_letters", "last_audit", "run", "runs", "status", "tables",
]
