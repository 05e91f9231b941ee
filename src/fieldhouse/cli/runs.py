"""``fieldhouse runs [--last N]`` and ``fieldhouse runs show RUN_ID``: the run ledger."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from .app import (
    EXIT_USAGE,
    DbOption,
    JsonOption,
    SourceFilter,
    app,
    check_source,
    console,
    fail,
    settings_for,
)
from .output import counts_table, plain, print_json, status_text, totals, when

runs_app = typer.Typer(help="The run ledger: what each run did.", no_args_is_help=False)
app.add_typer(runs_app, name="runs")


@runs_app.callback(invoke_without_command=True)
def runs_command(
    ctx: typer.Context,
    last: Annotated[int, typer.Option("--last", min=1, help="How many runs to show, newest first.")] = 20,
    source: SourceFilter = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The last runs, newest first: status, counts, HTTP calls and error."""
    if ctx.invoked_subcommand is not None:
        return
    from .. import query
    from ..runs.commands import open_stores

    settings = settings_for(db)
    with open_stores(settings) as stores:
        runs = query.runs(stores.control, last=last, source=source, stale_after=settings.run_stale_after)
    if not runs:  # a source with recorded runs may be named even if it is no longer installed
        check_source(source)
    if as_json:
        print_json({"runs": runs})
        return
    from rich.table import Table as RichTable

    table = RichTable(title=f"last {len(runs)} runs in {settings.database.redacted}")
    table.add_column("run", no_wrap=True)
    for name in ("source", "command", "started (UTC)", "took", "status", "rows", "http", "error"):
        table.add_column(name, overflow="fold")
    for r in runs:
        took = f"{(r.finished_at - r.started_at).total_seconds():.0f}s" if r.finished_at else ""
        table.add_row(r.run_id, r.source, r.command, when(r.started_at), took, status_text(r.status, r.looks_dead),
                      totals(r.counts), str(r.http_calls or 0), (r.error or "")[:120])
    console().print(table)
    if not runs:
        console().print("no runs recorded yet")


@runs_app.command("show")
def show_command(
    run_id: Annotated[str, typer.Argument(help="The run id (an unambiguous prefix will do).")],
    db: DbOption = None,
    as_json: JsonOption = False,
    conflicts: Annotated[bool, typer.Option(
        "--conflicts", help="Show the run's conflict log instead: its stale rows, with the key and both versions.")] = False,
    table: Annotated[str | None, typer.Option("--table", help="With --conflicts: of this table only.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="With --conflicts: at most this many rows.")] = 100,
) -> None:
    """One run: its arguments, counts per table, units, dead letters, pre-flight and audits
    (with --conflicts: its stale rows)."""
    from .. import query
    from ..runs.commands import open_stores

    if table is not None and not conflicts:
        raise fail("--table goes with --conflicts", EXIT_USAGE)
    settings = settings_for(db)
    with open_stores(settings) as stores:
        run = query.run(stores.control, run_id, stale_after=settings.run_stale_after)
        if run is not None and conflicts:
            rows = query.conflicts(stores.control, run.run_id, table=table, limit=limit)
            counts = {t: c for t, c in query.conflict_counts(stores.control, run.run_id).items()
                      if table is None or t == table}
    if run is None:
        raise fail(f"no run {run_id!r} in {settings.database.redacted}: `fieldhouse runs` lists them", EXIT_USAGE)
    if conflicts:
        show_conflicts(run.run_id, rows, counts, as_json=as_json)
        return
    if as_json:
        print_json(run)
        return
    out = console()
    out.print(f"run [bold]{run.run_id}[/]: {run.source} {run.command} "
              f"{json.dumps(run.arguments, default=plain)}", highlight=False)
    out.print(f"status {status_text(run.status, run.looks_dead)}; started {when(run.started_at)} UTC, finished "
              f"{when(run.finished_at) or '-'}; {run.http_calls or 0} HTTP calls; "
              f"{run.host} pid {run.pid}; fieldhouse {run.fieldhouse_version}")
    if run.looks_dead:
        out.print(f"[red]looks dead:[/] {run.looks_dead}", highlight=False)
    if run.error:
        out.print(f"[red]error:[/] {run.error}", highlight=False, soft_wrap=True)
    if run.counts:
        out.print(counts_table("rows", dict(sorted(run.counts.items()))))
    if run.units:
        from rich.table import Table as RichTable

        table = RichTable(title="units")
        for name in ("unit", "kind", "status", "attempts", "seconds", "error"):
            table.add_column(name, overflow="fold")
        for u in run.units:
            table.add_row(u.unit_key, u.kind or "", u.status, str(u.attempts),
                          f"{u.duration:.1f}" if u.duration is not None else "", u.error or "")
        out.print(table)
    for check in (run.preflight or {}).get("checks", []):
        out.print(f"pre-flight {check['name']}: {check['status']} ({check['detail']})", highlight=False)
    for result in (run.audit or {}).get("results", []):
        mark = "[green]passed[/]" if result["passed"] else "[red]FAILED[/]"
        out.print(f"audit {result['name']}: {mark} {result['detail']}", highlight=False, soft_wrap=True)


def show_conflicts(run_id: str, rows: list, counts: dict[str, dict[str, int]], *, as_json: bool) -> None:
    """The conflict log of a run: per table the stale rows recorded and omitted, then the rows."""
    if as_json:
        print_json({"run_id": run_id, "counts": counts, "conflicts": [r.model_dump() for r in rows]})
        return
    from rich.markup import escape
    from rich.table import Table as RichTable

    out = console()
    if not counts:
        out.print(f"run {run_id}: no stale rows", highlight=False)
        return
    for table, c in counts.items():
        out.print(f"{table}: {c['stale']} stale rows, {c['recorded']} recorded"
                  + (f", {c['omitted']} omitted (beyond the sample size)" if c["omitted"] else ""), highlight=False)
    recorded = sum(c["recorded"] for c in counts.values())
    grid = RichTable(title=f"conflicts of run {run_id}"
                     + (f" (the first {len(rows)} of {recorded}: --limit shows more)" if len(rows) < recorded else ""))
    for name in ("table", "key", "incoming version", "stored version", "unit"):
        grid.add_column(name, overflow="fold")
    for r in rows:
        key = ", ".join(f"{k}={v}" for k, v in r.key.items())
        grid.add_row(r.table, escape(key), r.incoming_version or "", r.stored_version or "", escape(r.unit_key or ""))
    if rows:
        out.print(grid)
