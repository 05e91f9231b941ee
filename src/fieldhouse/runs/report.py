"""What a run did (the same facts are in the ledger under its ``run_id``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..stores.counts import Counts
from .audits import AuditReport
from .doctor import DoctorReport
from .filled import merge
from .statuses import RUNNING, exit_code


@dataclass
class UnitOutcome:
    key: str
    kind: str
    status: str  # success | failed | skipped
    tables: Counts = field(default_factory=Counts)
    error: str | None = None
    traceback: str | None = None
    duration: float = 0.0
    attempts: int = 1
    dead_letter: str | None = None  # opened | closed | None
    #: ``{table: {"rows": n, "columns": {column: non-NULL values}}}`` of the rows it wrote
    filled: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        return self.tables.as_dict()

    def as_dict(self) -> dict:
        return {"key": self.key, "kind": self.kind, "status": self.status, "attempts": self.attempts,
                "duration": round(self.duration, 3), "counts": self.counts(), "error": self.error,
                "dead_letter": self.dead_letter}


@dataclass
class RunReport:
    """What a run did; the same facts are in the ledger under ``run_id``."""

    run_id: str
    source: str
    command: str
    status: str = RUNNING
    error: str | None = None
    units: list[UnitOutcome] = field(default_factory=list)
    http_calls: int = 0
    preflight: DoctorReport | None = None
    audit: AuditReport | None = None
    abandoned: list[str] = field(default_factory=list)
    dead_letters_opened: list[str] = field(default_factory=list)
    dead_letters_closed: list[str] = field(default_factory=list)
    dead_letters_open: int = 0
    #: Advice for after the run (e.g. compacting a lake table with many small files).
    suggestions: list[str] = field(default_factory=list)

    @property
    def tables(self) -> Counts:
        """What every unit wrote, summed per table."""
        return Counts.of(*(unit.tables for unit in self.units))

    def counts(self) -> dict[str, dict[str, int]]:
        """``{table: {outcome: n}}``: what :attr:`tables` holds, as plain numbers."""
        return self.tables.as_dict()

    def filled(self) -> dict[str, dict[str, Any]]:
        """Per table the rows given to the store and the non-NULL values per column."""
        return merge(unit.filled for unit in self.units)

    @property
    def exit_code(self) -> int:
        return exit_code(self.status)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id, "source": self.source, "command": self.command,
            "status": self.status, "exit_code": self.exit_code, "error": self.error,
            "tables": self.counts(), "http_calls": self.http_calls,
            "units": [u.as_dict() for u in self.units],
            "preflight": self.preflight.as_dict() if self.preflight else None,
            "audit": self.audit.as_dict() if self.audit else None,
            "abandoned_runs": self.abandoned,
            "dead_letters": {"opened": self.dead_letters_opened, "closed": self.dead_letters_closed,
                             "open": self.dead_letters_open},
            **({"suggestions": list(self.suggestions)} if self.suggestions else {}),
        }
