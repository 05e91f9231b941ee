"""Data audits: checks of what is in the tables after a run (and alone as ``fieldhouse
audit``).  An audit is a callable ``audit(store) -> AuditResult``; each source ships its own
(NBA: :mod:`fieldhouse.sources.nba.audits`).  Audits read through ``store.rows``; a failing
audit names the offending keys (the first :data:`KEY_CAP` of them, and how many there are).
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import FieldhouseError, error_text
from ..stores import Store

log = logging.getLogger("fieldhouse.audits")

KEY_CAP = 20

#: source -> "module:function" returning that source's audits: ``function(season=None)``.
AUDIT_SOURCES: dict[str, str] = {"nba": "fieldhouse.sources.nba.audits:audits_for"}


@dataclass
class AuditResult:
    name: str
    passed: bool
    detail: str
    checked: int = 0
    failures: int = 0
    keys: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail,
                "checked": self.checked, "failures": self.failures, "keys": self.keys}


Audit = Callable[[Store], AuditResult]


def verdict(name: str, checked: int, bad: Sequence[Any], what: str, *, ok: str | None = None) -> AuditResult:
    """An AuditResult from the offending keys ``bad`` among ``checked`` items: ``what`` says
    what is wrong with them (e.g. ``"final games without exactly two team rows"``)."""
    keys = [k if isinstance(k, str) else "/".join(str(p) for p in k) if isinstance(k, tuple) else str(k)
            for k in list(bad)[:KEY_CAP]]
    if not bad:
        return AuditResult(name, True, ok or f"{checked} checked, none wrong", checked)
    more = f" (first {KEY_CAP} shown)" if len(bad) > KEY_CAP else ""
    return AuditResult(name, False, f"{len(bad)} {what}{more}: {', '.join(keys)}", checked, len(bad), keys)


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


def audits_for(source: str, **scope: Any) -> list[Audit]:
    """The audits a source registered in :data:`AUDIT_SOURCES`, for ``scope`` (e.g. season)."""
    target = AUDIT_SOURCES.get(source)
    if target is None:
        raise FieldhouseError(f"no audits for source {source!r}: known sources are "
                              f"{', '.join(sorted(AUDIT_SOURCES))}")
    module, _, func = target.partition(":")
    return list(getattr(importlib.import_module(module), func)(**scope))
