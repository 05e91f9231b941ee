"""What the alert rules read, once per evaluation: the ledger's runs per source (newest
first), the stores, the sources and the thresholds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

from ...runs import ledger
from ...runs.statuses import PARTIAL, RUNNING, SUCCESS
from ...settings import AlertSettings
from ...sources.protocol import Source
from ...stores import Store
from ...stores.result import OUTCOMES

#: Runs per source the rules look at (the newest ones).
HISTORY = 500
#: Commands whose runs ingest data (a standalone ``audit`` run only checks it).
AUDIT = "audit"
INPUT_OUTCOMES = tuple(o for o in OUTCOMES if o != "deleted")  # each input row is exactly one of these


def run_link(run_id: str) -> str:
    return f"/api/v1/runs/{run_id}"


def kind(run: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
    """Runs of one kind are comparable: the same source, command and arguments given (by
    name, not value: ``--date`` runs with ``--date`` runs, a ``--season`` backfill apart)."""
    given = tuple(sorted(k for k, v in (run.get("arguments") or {}).items() if v not in (None, [], "", False)))
    return run["source"], run["command"], given


def table_rows(run: dict[str, Any], table: str) -> int:
    """The input rows of ``table`` in ``run`` (every outcome but deleted)."""
    counts = (run.get("counts") or {}).get(table) or {}
    return sum(int(counts.get(o, 0) or 0) for o in INPUT_OUTCOMES)


@dataclass
class Context:
    data: Store
    control: Store
    sources: Sequence[Source]
    settings: AlertSettings
    now: datetime
    runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # per source, newest first

    @classmethod
    def load(cls, data: Store, control: Store, sources: Sequence[Source], settings: AlertSettings,
             now: datetime) -> Context:
        ctx = cls(data, control, list(sources), settings, now)
        wanted = {source.name for source in ctx.sources}
        if control.table_exists(ledger.RUNS_TABLE):
            for row in control.iter_rows(ledger.RUNS_TABLE, order_by=["-started_at", "-run_id"]):
                held = ctx.runs.setdefault(row["source"], [])
                if len(held) < HISTORY:
                    held.append(row)
                elif wanted and all(len(ctx.runs.get(name, ())) >= HISTORY for name in wanted):
                    break  # every installed source has its history: the rest is older
        return ctx

    def finished(self, source: str) -> list[dict[str, Any]]:
        """The source's finished ingesting runs (not standalone audits), newest first."""
        return [r for r in self.runs.get(source, []) if r["status"] != RUNNING and r["command"] != AUDIT]

    def last_finished(self, source: str) -> dict[str, Any] | None:
        done = self.finished(source)
        return done[0] if done else None

    def running(self) -> list[dict[str, Any]]:
        return [r for runs in self.runs.values() for r in runs if r["status"] == RUNNING]

    def last_with_data(self, source: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """The source's newest successful or partial run, and the earlier runs of its kind
        (at most ``volume_runs``, newest first)."""
        done = [r for r in self.finished(source) if r["status"] in (SUCCESS, PARTIAL)]
        if not done:
            return None
        last, want = done[0], kind(done[0])
        earlier = [r for r in done[1:] if kind(r) == want][: self.settings.volume_runs]
        return last, earlier

    def last_and_before(self, source: str) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
        """The source's newest successful or partial run, and the ones before it of any
        kind (at most ``volume_runs``, newest first)."""
        done = [r for r in self.finished(source) if r["status"] in (SUCCESS, PARTIAL)]
        return (done[0], done[1: 1 + self.settings.volume_runs]) if done else None

    @staticmethod
    def median(values: list[float]) -> float:
        return float(median(values)) if values else 0.0
