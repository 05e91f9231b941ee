"""Data audits: checks of what is in a source's tables (run after every sync, and alone as
``fieldhouse audit``).  An audit is a callable ``audit(store) -> AuditResult``; each source
ships its own (its ``audits``).  A failing audit names the offending keys (the first
:data:`KEY_CAP` of them, and how many there are): :func:`verdict` builds the result."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..stores import Store

KEY_CAP = 20


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
