"""``GET /metrics``: Prometheus text computed at scrape time from the ledger and the stores
(so it is true for runs made by any process), by a custom collector on a registry of its own.
Names and labels: docs/service.md (and examples/prometheus/alerts.yml)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from .. import query
from ..settings import Settings
from . import bridge
from .db import Unavailable, installed_sources, read_stores
from .status import table_states

OUTCOMES = ("inserted", "updated", "unchanged", "stale", "rejected", "deleted")
router = APIRouter()


def _ts(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def source_hosts(settings: Settings, sources: list[Any]) -> dict[str, str]:
    """The API host of each installed source (its settings' ``base_url``)."""
    hosts = {}
    for source in sources:
        try:
            url = getattr(source.settings(settings), "base_url", None)
        except Exception:  # a source whose settings do not validate: no host to name
            url = None
        hosts[source.name] = (urlsplit(url).hostname if url else None) or source.name
    return hosts


def families(data: Any, control: Any, settings: Settings) -> Iterator[Metric]:
    now = datetime.now(UTC)
    sources = installed_sources()
    runs = query.runs(control, stale_after=settings.run_stale_after)
    rows: Counter[tuple[str, str]] = Counter()
    per_status: Counter[tuple[str, str]] = Counter()
    calls: Counter[str] = Counter()
    last: dict[str, query.RunSummary] = {}
    last_finished: dict[str, query.RunSummary] = {}
    last_success: dict[str, query.RunSummary] = {}
    hosts = source_hosts(settings, sources)
    for run in runs:  # newest first
        for table, counts in (run.counts or {}).items():
            for outcome in OUTCOMES:
                rows[(table, outcome)] += int(counts.get(outcome, 0) or 0)
        per_status[(run.source, run.status)] += 1
        calls[hosts.get(run.source, run.source)] += run.http_calls or 0
        last.setdefault(run.source, run)
        if run.finished_at:
            last_finished.setdefault(run.source, run)
        if run.status == "success":
            last_success.setdefault(run.source, run)

    family = CounterMetricFamily("fieldhouse_rows_written", "Rows written per table and outcome, over every run "
                                 "in the ledger.", labels=["table", "outcome"])
    for (table, outcome), value in sorted(rows.items()):
        family.add_metric([table, outcome], value)
    yield family
    family = CounterMetricFamily("fieldhouse_runs", "Runs in the ledger per source and status.",
                                 labels=["source", "status"])
    for (source, status), value in sorted(per_status.items()):
        family.add_metric([source, status], value)
    yield family
    yield _gauge("fieldhouse_last_run_timestamp_seconds", "Unix time the last run of the source started.",
                 "source", {s: _ts(r.started_at) for s, r in last.items()})
    yield _gauge("fieldhouse_last_run_duration_seconds", "Seconds the last finished run of the source took.",
                 "source", {s: (r.finished_at - r.started_at).total_seconds() for s, r in last_finished.items()})
    yield _gauge("fieldhouse_last_success_timestamp_seconds",
                 "Unix time the last successful run of the source started.", "source",
                 {s: _ts(r.started_at) for s, r in last_success.items()})
    family = CounterMetricFamily("fieldhouse_http_requests", "HTTP calls per API host, over every run.",
                                 labels=["host"])
    for host, value in sorted(calls.items()):
        family.add_metric([host], value)
    yield family
    # The ledger records no retries yet: the family is declared, with no series (docs/service.md).
    yield CounterMetricFamily("fieldhouse_http_retries", "Retried HTTP calls per API host.", labels=["host"])
    yield GaugeMetricFamily("fieldhouse_dead_letters_open", "Open dead letters.",
                            value=len(query.dead_letters(control)))
    fresh = {t.table: t.freshness_seconds for t in table_states(data, control, sources, now)
             if t.freshness_seconds is not None}
    yield _gauge("fieldhouse_table_freshness_seconds", "Seconds since the newest version of the table.",
                 "table", fresh)
    audit = query.last_audit(control)
    failing = sum(1 for r in (audit.results if audit else []) if not r.get("passed"))
    yield GaugeMetricFamily("fieldhouse_audits_failing", "Failing checks in the last recorded audit.", value=failing)
    active = {a.name for a in bridge.alerts(data, control, sources, settings)}
    names = list(dict.fromkeys([*bridge.ALERT_NAMES, *sorted(active)]))
    yield _gauge("fieldhouse_alert_active", "1 while at least one alert of that name is active, else 0.",
                 "alert", {name: 1.0 if name in active else 0.0 for name in names})


def _gauge(name: str, doc: str, label: str, values: dict[str, float]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


class LedgerCollector:
    """Reads the database on every scrape; an unreachable one raises :class:`Unavailable`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def collect(self) -> Iterator[Metric]:
        with read_stores(self.settings) as stores:
            found = list(families(stores.data, stores.control, self.settings))
        yield from found
        up = GaugeMetricFamily("fieldhouse_database_up", "1 when the database could be read.", value=1)
        yield up


def registry_for(settings: Settings) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(LedgerCollector(settings))
    return registry


@router.get("/metrics", response_class=Response, tags=["metrics"],
            responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"},
                       503: {"content": {"text/plain": {}}, "description": "the database is unreachable"}})
def metrics(request: Request) -> Response:
    """The metrics, in the Prometheus text format (a 503 when the database cannot be read)."""
    try:
        body = generate_latest(request.app.state.registry)
    except Unavailable as exc:
        text = f"# {exc}\nfieldhouse_database_up 0\n"
        return Response(text, status_code=503, media_type=CONTENT_TYPE_LATEST)
    return Response(request.app.state.scrub(body.decode()), media_type=CONTENT_TYPE_LATEST)
