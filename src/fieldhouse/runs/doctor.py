"""Pre-flight checks, run before every sync and alone as ``fieldhouse doctor``.

1. **database**: the control store is reachable, and writable (fieldhouse's own tables are
   created if needed and a probe row is written to ``fieldhouse_meta``); a data store apart
   from it is reachable (**data**);
2. **schema**: the version in ``fieldhouse_meta`` is the one this fieldhouse expects (a new
   database is stamped with it; an older one is brought up to it, since table changes are
   only ever added columns; a newer one is refused: upgrade fieldhouse);
3. **api**: the API host answers a tiny request (skipped when reading an archive).

A failed check stops the run before any unit: the run is recorded as failed with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..errors import error_text
from ..stores import Store
from ..urls import redact
from . import ledger
from .deadletters import DEAD_LETTERS_TABLE
from .statuses import FAILED, OK, SKIPPED


@dataclass
class Check:
    name: str
    status: str
    detail: str
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail,
                "seconds": round(self.seconds, 3)}


@dataclass
class DoctorReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.status != FAILED for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAILED]

    def reason(self) -> str:
        return "; ".join(f"{c.name}: {c.detail}" for c in self.failures)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [c.as_dict() for c in self.checks]}


def _message(exc: BaseException) -> str:
    text = error_text(exc)
    return redact(text.strip().splitlines()[0] if text.strip() else type(exc).__name__)


def check_database(store: Store) -> Check:
    started = time.monotonic()
    try:
        ledger.ensure_ledger(store)
        store.ensure_table(DEAD_LETTERS_TABLE)
        ledger.set_meta(store, "last_preflight", datetime.now(UTC).isoformat())
    except Exception as exc:
        return Check("database", FAILED, f"{store.url.redacted} is not writable: {_message(exc)}",
                     time.monotonic() - started)
    return Check("database", OK, f"{store.url.redacted} is reachable and writable",
                 time.monotonic() - started)


def check_schema(store: Store) -> Check:
    started = time.monotonic()
    try:
        found = ledger.schema_version(store)
        if found is None or found < ledger.SCHEMA_VERSION:
            ledger.set_meta(store, "schema_version", str(ledger.SCHEMA_VERSION))
            detail = (f"schema initialised at version {ledger.SCHEMA_VERSION}" if found is None else
                      f"schema upgraded from version {found} to {ledger.SCHEMA_VERSION}")
            return Check("schema", OK, detail, time.monotonic() - started)
        if found > ledger.SCHEMA_VERSION:
            return Check("schema", FAILED,
                         f"the database is at schema version {found}, newer than this fieldhouse "
                         f"knows ({ledger.SCHEMA_VERSION}): upgrade fieldhouse",
                         time.monotonic() - started)
    except Exception as exc:
        return Check("schema", FAILED, f"cannot read the schema version: {_message(exc)}",
                     time.monotonic() - started)
    return Check("schema", OK, f"schema at version {found}", time.monotonic() - started)


def check_data(data: Store) -> Check:
    """A data store apart from the control store: reachable."""
    started = time.monotonic()
    try:
        data.table_exists(ledger.META_TABLE)
    except Exception as exc:
        return Check("data", FAILED, f"{data.url.redacted} is not reachable: {_message(exc)}",
                     time.monotonic() - started)
    return Check("data", OK, f"{data.url.redacted} is reachable", time.monotonic() - started)


def check_api(api_check: Callable[[], Any] | None, skipped_because: str = "no API check given") -> Check:
    if api_check is None:
        return Check("api", SKIPPED, skipped_because)
    started = time.monotonic()
    try:
        answer = api_check()
    except Exception as exc:
        return Check("api", FAILED, f"the API host does not answer: {_message(exc)}",
                     time.monotonic() - started)
    if answer is None:
        return Check("api", SKIPPED, "the source has no API to check", time.monotonic() - started)
    detail = answer if isinstance(answer, str) and answer else "the API host answers"
    return Check("api", OK, detail, time.monotonic() - started)


def preflight(control: Store, api_check: Callable[[], Any] | None = None, *,
              api_skipped_because: str = "reading an archive: no API call needed",
              data: Store | None = None) -> DoctorReport:
    """Run the checks in order; the schema is not checked on a database that is not
    writable.  ``data``: the data store, when it is not ``control``."""
    report = DoctorReport([check_database(control)])
    if report.ok:
        report.checks.append(check_schema(control))
    if data is not None and data is not control:
        report.checks.append(check_data(data))
    report.checks.append(check_api(api_check, api_skipped_because))
    return report
