"""The alert and conflict-log reads the service makes, all from the query layer
(``fieldhouse.query.alerts``, ``conflicts``, ``conflict_counts``): the service evaluates no
alert rule of its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..query import ALERT_NAMES, Alert, ConflictRecord
from ..query import alerts as alert_rules
from ..query import conflict_counts as counts_of
from ..query import conflicts as conflicts_of
from ..settings import Settings


def alerts(data: Any, control: Any, sources: Sequence[Any], settings: Settings) -> list[Alert]:
    """The active alerts, with the thresholds of ``settings.alerts`` (FIELDHOUSE_ALERTS__*)."""
    return alert_rules(data, control, sources, settings=settings.alerts)


def conflicts(control: Any, run_id: str, *, table: str | None, limit: int, offset: int) -> list[ConflictRecord]:
    return conflicts_of(control, run_id, table=table, limit=limit, offset=offset)


def conflict_counts(control: Any, run_id: str) -> dict[str, dict[str, int]]:
    return counts_of(control, run_id)


__all__ = ["ALERT_NAMES", "Alert", "ConflictRecord", "alerts", "conflict_counts", "conflicts"]
