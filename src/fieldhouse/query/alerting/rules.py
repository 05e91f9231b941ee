"""The alert rules about runs and time: run_failed, source_overdue, freshness,
stale_heartbeat, audit_failing.  Each takes the :class:`~.context.Context` and returns
the alerts it finds (docs/service.md#alerts)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ...runs import ledger
from ...runs.statuses import ABANDONED, FAILED, PARTIAL, SUCCESS
from ..models import Alert
from .context import AUDIT, Context, run_link


def _ago(seconds: float) -> str:
    if seconds >= 2 * 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


def run_failed(ctx: Context) -> list[Alert]:
    """The last finished run of a source failed, was abandoned, or was partial."""
    out = []
    for source in sorted(ctx.runs):
        run = ctx.last_finished(source)
        if run is None or run["status"] not in (FAILED, PARTIAL, ABANDONED):
            continue
        out.append(Alert(
            name="run_failed", severity="warning" if run["status"] == PARTIAL else "critical", source=source,
            run_id=run["run_id"], link=run_link(run["run_id"]),
            message=f"the last {source} run ({run['command']}, started {run['started_at']:%Y-%m-%d %H:%M} UTC) "
                    f"is {run['status']}: {(run.get('error') or 'no error recorded')[:300]}"))
    return out


def source_overdue(ctx: Context) -> list[Alert]:
    """A source with runs in the ledger has not succeeded within its expected interval
    (``expected_interval``, or its own in ``source_intervals``)."""
    out = []
    for source in sorted(ctx.runs):
        runs = [r for r in ctx.runs[source] if r["command"] != AUDIT]
        if not runs:
            continue
        interval = ctx.settings.interval(source)
        success = next((r for r in runs if r["status"] == SUCCESS), None)
        since = (success or runs[-1])["started_at"]
        age = (ctx.now - since).total_seconds()
        if age <= interval:
            continue
        what = (f"its last success started {since:%Y-%m-%d %H:%M} UTC, {_ago(age)} ago" if success
                else f"none of its {len(runs)} runs since {since:%Y-%m-%d %H:%M} UTC succeeded")
        out.append(Alert(name="source_overdue", severity="warning", source=source, value=age, threshold=interval,
                         run_id=success["run_id"] if success else None,
                         message=f"{source} has not succeeded within {_ago(interval)}: {what}"))
    return out


def live_run(ctx: Context, source: Any) -> dict[str, Any] | None | bool:
    """Whether games are on for ``source``: its own ``live(data, now)`` hook if it has one
    and it answers (True/False), else the newest run of it that fetched from the API (HTTP
    calls) and wrote rows (inserted or updated) within ``live_window``, or None: something
    is changing at the source, so its data should be fresh.  Runs over an archive or files
    make no HTTP call: replaying old data is not live."""
    hook = getattr(source, "live", None)
    if callable(hook):
        answer = hook(ctx.data, ctx.now)
        if answer is not None:
            return bool(answer)
    for run in ctx.runs.get(source.name, []):
        age = (ctx.now - run["started_at"]).total_seconds()
        if age > ctx.settings.live_window:
            break  # newest first: the rest are older
        if age >= 0 and (run.get("http_calls") or 0) > 0 and any(
                int(c.get("inserted", 0) or 0) + int(c.get("updated", 0) or 0)
                for c in (run.get("counts") or {}).values()):
            return run
    return None


def _static_tables(ctx: Context, source: Any, run: dict[str, Any] | None) -> set[str]:
    """Tables that in ``run`` only the source's static units wrote (reference data that
    comes with the source, such as a list of teams: nothing to be fresh about)."""
    if not isinstance(run, dict):
        return set()
    try:
        static = {unit.key for unit in source.static_units()}
    except Exception:  # a source that cannot list them: check every table
        return set()
    by_static: set[str] = set()
    by_others: set[str] = set()
    for unit in ledger.unit_rows(ctx.control, run["run_id"]):
        (by_static if unit["unit_key"] in static else by_others).update(unit.get("counts") or {})
    return by_static - by_others


def freshness(ctx: Context) -> list[Alert]:
    """While a source is live, the newest version (``captured_at``, else the version column)
    of each of its tables (but those only its static units write) is at most
    ``freshness_max_age`` old."""
    out = []
    limit = ctx.settings.freshness_max_age
    for source in ctx.sources:
        run = live_run(ctx, source)
        if not run:
            continue
        static = _static_tables(ctx, source, run)
        for name, table in sorted(source.tables().items()):
            column = "captured_at" if "captured_at" in table.columns else table.version
            if name in static or not ctx.data.table_exists(table):
                continue
            newest = ctx.data.max_value(table, column)
            if not isinstance(newest, datetime):
                continue
            age = (ctx.now - newest).total_seconds()
            if age > limit:
                why = "its own live hook says so" if run is True else (
                    f"a run of it fetched and wrote rows within {_ago(ctx.settings.live_window)}")
                out.append(Alert(
                    name="freshness", severity="warning", source=source.name, table=name, value=age, threshold=limit,
                    message=f"{name}: the newest {column} is {newest:%Y-%m-%d %H:%M} UTC, {_ago(age)} old, while "
                            f"{source.name} is live ({why})"))
    return out


def stale_heartbeat(ctx: Context) -> list[Alert]:
    """A ``running`` run whose heartbeat is older than ``heartbeat_max_age``."""
    out = []
    limit = ctx.settings.heartbeat_max_age
    for run in ctx.running():
        beat = run.get("heartbeat") or run["started_at"]
        age = (ctx.now - beat).total_seconds()
        if age > limit:
            out.append(Alert(
                name="stale_heartbeat", severity="critical", source=run["source"], run_id=run["run_id"],
                link=run_link(run["run_id"]), value=age, threshold=limit,
                message=f"run {run['run_id']} ({run['source']} {run['command']}, pid {run.get('pid')} on "
                        f"{run.get('host')}) is marked running but its last heartbeat was {_ago(age)} ago"))
    return out


def audit_failing(ctx: Context) -> list[Alert]:
    """The newest recorded audit of a source (of a run, or a standalone audit) failed."""
    out = []
    for source in sorted(ctx.runs):
        run = next((r for r in ctx.runs[source] if r.get("audit")), None)
        if run is None or run["audit"].get("passed", True):
            continue
        failed = [r for r in run["audit"].get("results", []) if not r.get("passed")]
        names = ", ".join(f"{r.get('name')} ({r.get('detail')})" for r in failed[:5])
        out.append(Alert(name="audit_failing", severity="warning", source=source, run_id=run["run_id"],
                         link=run_link(run["run_id"]), value=float(len(failed)), threshold=0.0,
                         message=f"{len(failed)} {source} audit check(s) failing: {names}"[:500]))
    return out
