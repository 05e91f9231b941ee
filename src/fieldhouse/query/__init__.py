"""One query layer for every face (the CLI, the HTTP service): plain functions that read the
control and data stores and return typed results (see :mod:`.models`)."""

from .models import (
    AuditSummary,
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
    "AuditSummary", "DeadLetter", "OpenDeadLetter", "RunBrief", "RunDetail", "RunSummary",
    "SourceStatus", "Status", "TableStatus", "UnitRecord", "control_tables", "dead_letter",
    "dead_letters", "last_audit", "run", "runs", "status", "tables",
]
