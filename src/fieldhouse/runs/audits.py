"""Running a source's audits (see :mod:`fieldhouse.sources.audits` for what an audit is):
after every run's units, and alone as ``fieldhouse audit``, which is recorded in the
ledger as a run with command ``audit``."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import error_text
from ..sources.audits import Audit, AuditResult
from ..stores import Store
from . import ledger
from .statuses import FAILED, SUCCESS

log = logging.getLogger("fieldhouse.audits")


@dataclass
class AuditReport:
    results: list[AuditResult] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.results)

    @property
    def failed(self) -> list[AuditResult]:
        return [r for r in self.results if not r.passed]

    def summary(self) -> str:
        if self.passed:
            return f"all {len(self.results)} audits passed"
        return "; ".join(f"audit {r.name} failed: {r.detail}" for r in self.failed)

    def as_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "results": [r.as_dict() for r in self.results]}


def run_audits(store: Store, audits: Iterable[Audit]) -> AuditReport:
    """Run every audit; one that raises counts as failed (with its error), the rest still run."""
    report = AuditReport()
    for audit in audits:
        name = getattr(audit, "audit_name", None) or getattr(audit, "__name__", repr(audit))
        try:
            result = audit(store)
        except Exception as exc:
            log.exception("audit %s could not run", name)
            result = AuditResult(name, False, f"could not run: {error_text(exc)}")
        log.log(logging.DEBUG if result.passed else logging.WARNING, "audit %s: %s",
                result.name, "passed" if result.passed else result.detail)
        report.results.append(result)
    return report


@dataclass
class AuditRun:
    """A standalone audit, recorded in the ledger as run ``run_id`` (command ``audit``)."""

    run_id: str
    source: str
    arguments: dict[str, Any]
    report: AuditReport

    @property
    def passed(self) -> bool:
        return self.report.passed

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "source": self.source, **self.arguments, **self.report.as_dict()}


def record_audit(control: Store, source: str, arguments: dict[str, Any], report: AuditReport) -> str:
    """Keep a standalone audit in the ledger, as a run with command ``audit``."""
    record = ledger.RunRecord(source, "audit", arguments)
    ledger.ensure_ledger(control)
    record.update(status=SUCCESS if report.passed else FAILED, finished_at=datetime.now(UTC),
                  audit=report.as_dict(), error=None if report.passed else report.summary())
    record.save(control)
    return record.run_id
