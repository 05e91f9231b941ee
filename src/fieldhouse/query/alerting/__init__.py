"""Alerts: the rules of docs/service.md#alerts, evaluated over the ledger and the stores.

``alerts(data, control, sources)`` evaluates every rule and returns the active alerts,
critical first; each rule is a plain function of a :class:`~.context.Context`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from ...settings import AlertSettings
from ...sources.protocol import Source
from ...stores import Store
from ..models import Alert
from .context import Context
from .history import rejected_rows, schema_drift, stale_rate, volume_anomaly
from .rules import audit_failing, freshness, run_failed, source_overdue, stale_heartbeat

RULES: dict[str, Callable[[Context], list[Alert]]] = {
    "run_failed": run_failed, "source_overdue": source_overdue, "freshness": freshness,
    "stale_rate": stale_rate, "rejected_rows": rejected_rows, "volume_anomaly": volume_anomaly,
    "audit_failing": audit_failing, "stale_heartbeat": stale_heartbeat, "schema_drift": schema_drift,
}
#: Every alert name (``fieldhouse_alert_active{alert=...}`` has one series per name).
ALERT_NAMES: tuple[str, ...] = tuple(RULES)


def alerts(data: Store, control: Store, sources: Sequence[Source], *, settings: AlertSettings | None = None,
           now: datetime | None = None) -> list[Alert]:
    """The active alerts (critical first, then by rule, source and table)."""
    ctx = Context.load(data, control, sources, settings or AlertSettings(), now or datetime.now(UTC))
    found = [alert for rule in RULES.values() for alert in rule(ctx)]
    order = {name: i for i, name in enumerate(ALERT_NAMES)}
    return sorted(found, key=lambda a: (a.severity != "critical", order[a.name], a.source or "", a.table or ""))


__all__ = ["ALERT_NAMES", "RULES", "Alert", "Context", "alerts"]
