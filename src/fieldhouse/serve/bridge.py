"""The alert and conflict-log reads of the query layer (``fieldhouse.query.alerts``,
``conflicts``, ``conflict_counts``), with a stand-in that returns nothing when this build of
the query layer does not have them yet.  The service never evaluates alert rules itself."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from .. import query

#: The alert names (docs/service.md); every one gets a ``fieldhouse_alert_active`` series.
ALERT_NAMES: tuple[str, ...] = tuple(getattr(query, "ALERT_NAMES", (
    "run_failed", "source_overdue", "freshness", "stale_rate", "rejected_rows", "volume_anomaly",
    "audit_failing", "stale_heartbeat", "schema_drift")))


class _Alert(BaseModel):
    name: str
    severity: Literal["warning", "critical"]
    source: str | None = None
    table: str | None = None
    run_id: str | None = None
    message: str
    value: float | None = None
    threshold: float | None = None
    link: str | None = None


class _ConflictRecord(BaseModel):
    run_id: str
    table: str
    key: dict[str, Any]
    incoming_version: str | None = None
    stored_version: str | None = None
    recorded_at: datetime


Alert: type[BaseModel] = getattr(query, "Alert", _Alert)
ConflictRecord: type[BaseModel] = getattr(query, "ConflictRecord", _ConflictRecord)


def alerts(data: Any, control: Any, sources: Sequence[Any], settings: Any) -> list[Any]:
    """The active alerts (none while the query layer has no alert rules)."""
    rules = getattr(query, "alerts", None)
    if rules is None:
        return []
    return list(rules(data, control, sources, settings=getattr(settings, "alerts", None)))


def conflicts(control: Any, run_id: str, *, table: str | None, limit: int, offset: int) -> list[Any]:
    read = getattr(query, "conflicts", None)
    if read is None:
        return []
    return list(read(control, run_id, table=table, limit=limit, offset=offset))


def conflict_counts(control: Any, run_id: str) -> dict[str, dict[str, int]]:
    read = getattr(query, "conflict_counts", None)
    return {} if read is None else dict(read(control, run_id))
