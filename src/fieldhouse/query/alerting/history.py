"""The alert rules about what a run wrote, against the runs before it: stale_rate,
rejected_rows, volume_anomaly, schema_drift (docs/service.md#alerts)."""

from __future__ import annotations

from ..models import Alert
from .context import Context, run_link, table_rows


def stale_rate(ctx: Context) -> list[Alert]:
    """In the last finished run of a source, a table's stale rows (incoming older than
    stored: clock skew, or a source serving old data) are ``stale_rate`` of its rows or more."""
    out = []
    for source in sorted(ctx.runs):
        run = ctx.last_finished(source)
        for table, counts in sorted(((run or {}).get("counts") or {}).items()):
            rows, stale = table_rows(run, table), int(counts.get("stale", 0) or 0)
            if rows < ctx.settings.stale_min_rows or stale / rows < ctx.settings.stale_rate:
                continue
            out.append(Alert(
                name="stale_rate", severity="warning", source=source, table=table, run_id=run["run_id"],
                value=stale / rows, threshold=ctx.settings.stale_rate,
                link=f"{run_link(run['run_id'])}/conflicts",
                message=f"{stale} of {rows} {table} rows of run {run['run_id']} were stale (older than the "
                        "stored copy): a clock skew or a source serving old data? See its conflict log"))
    return out


def rejected_rows(ctx: Context) -> list[Alert]:
    """In the last finished run of a source, a table had more than ``rejected_max`` rejected rows."""
    out = []
    for source in sorted(ctx.runs):
        run = ctx.last_finished(source)
        for table, counts in sorted(((run or {}).get("counts") or {}).items()):
            rejected = int(counts.get("rejected", 0) or 0)
            if rejected > ctx.settings.rejected_max:
                out.append(Alert(
                    name="rejected_rows", severity="warning", source=source, table=table, run_id=run["run_id"],
                    value=float(rejected), threshold=float(ctx.settings.rejected_max), link=run_link(run["run_id"]),
                    message=f"run {run['run_id']} rejected {rejected} of {table_rows(run, table)} {table} rows "
                            "(they did not fit the table)"))
    return out


def volume_anomaly(ctx: Context) -> list[Alert]:
    """A table's rows in a source's last run are below ``volume_ratio`` times the median of
    the earlier runs of the same kind (at least ``volume_min_runs`` of them)."""
    out = []
    s = ctx.settings
    for source in sorted(ctx.runs):
        found = ctx.last_with_data(source)
        if found is None or len(found[1]) < s.volume_min_runs:
            continue
        last, earlier = found
        tables = sorted({t for r in earlier for t in (r.get("counts") or {})})
        for table in tables:
            usual = ctx.median([table_rows(r, table) for r in earlier])
            rows = table_rows(last, table)
            if usual < s.volume_min_rows or rows >= s.volume_ratio * usual:
                continue
            out.append(Alert(
                name="volume_anomaly", severity="warning", source=source, table=table, run_id=last["run_id"],
                value=float(rows), threshold=s.volume_ratio * usual, link=run_link(last["run_id"]),
                message=f"run {last['run_id']} gave {rows} {table} rows where the last {len(earlier)} runs "
                        f"of its kind gave {usual:g} (median)"))
    return out


def schema_drift(ctx: Context) -> list[Alert]:
    """A column filled (not NULL) in at least ``drift_baseline_fill`` of a table's rows in the
    source's earlier runs (of any kind: a fraction does not depend on how many rows a run
    read) comes back NULL in at least ``drift_null_rate`` of them in the last run: an API
    renamed or dropped a field, and the mapping silently nulls it."""
    out = []
    s = ctx.settings
    for source in sorted(ctx.runs):
        found = ctx.last_and_before(source)
        if found is None:
            continue
        last, earlier = found
        for table, now in sorted((last.get("filled") or {}).items()):
            rows = int(now.get("rows", 0) or 0)
            before = [(r.get("filled") or {}).get(table) for r in earlier]
            before = [b for b in before if b and b.get("rows")]
            if rows < s.drift_min_rows or len(before) < s.volume_min_runs:
                continue
            base_rows = sum(int(b["rows"]) for b in before)
            for column, filled in sorted((now.get("columns") or {}).items()):
                null_rate = 1 - int(filled or 0) / rows
                base_fill = sum(int((b.get("columns") or {}).get(column, 0) or 0) for b in before) / base_rows
                if null_rate < s.drift_null_rate or base_fill < s.drift_baseline_fill:
                    continue
                out.append(Alert(
                    name="schema_drift", severity="warning", source=source, table=table, run_id=last["run_id"],
                    value=null_rate, threshold=s.drift_null_rate, link=run_link(last["run_id"]),
                    message=f"{table}.{column} is NULL in {null_rate:.0%} of the {rows} rows of run {last['run_id']} "
                            f"but was filled in {base_fill:.0%} of them in the {len(before)} runs before: "
                            "did the source rename or drop the field?"))
    return out
