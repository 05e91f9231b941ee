"""``fieldhouse runs [--last N]`` and ``fieldhouse runs show RUN_ID``: the run ledger."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable

from ..runs import ledger
from ..settings import Settings
from ..stores import connect
from .app import (
    EXIT_USAGE,
    DbOption,
    JsonOption,
    app,
    check_source,
    console,
    fail,
    known_sources,
    settings_for,
)

runs_app = typer.Typer(help="The run ledger: what each run did.", no_args_is_help=False)
app.add_typer(runs_app, name="runs")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=_plain))


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else ""


def run_view(run: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """A ledger row for people and JSON: the internal version column left out, and a
    ``looks_dead`` reason for a running run that seems dead."""
    view = {k: v for k, v in run.items() if k != "updated_at"}
    view["looks_dead"] = ledger.looks_dead(run, stale_after=settings.run_stale_after)
    return view


def totals(counts: dict[str, dict[str, int]] | None) -> str:
    if not counts:
        return ""
    keys = ("inserted", "updated", "unchanged", "stale", "rejected")
    sums = {k: sum(c.get(k, 0) for c in counts.values()) for k in keys}
    return " ".join(f"{k[:3]} {v}" for k, v in sums.items() if v)


def status_text(view: dict[str, Any]) -> str:
    colour = {"success": "green", "partial": "yellow", "failed": "red", "abandoned": "red"}.get(view["status"], "cyan")
    text = f"[{colour}]{view['status']}[/]"
    return text + (" [red](looks dead)[/]" if view.get("looks_dead") else "")


@runs_app.callback(invoke_without_command=True)
def runs_command(
    ctx: typer.Context,
    last: Annotated[int, typer.Option("--last", min=1, help="How many runs to show, newest first.")] = 20,
    source: Annotated[str | None, typer.Option("--source", help="Only runs of this source.", show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The last runs, newest first: status, counts, HTTP calls and error."""
    if ctx.invoked_subcommand is not None:
        return
    settings = settings_for(db)
    with connect(settings.database) as store:
        if source is not None:  # a source fieldhouse knows, or one the ledger has runs of
            check_source(source, {*known_sources(), *(r["source"] for r in ledger.list_runs(store))})
        runs = [run_view(r, settings) for r in ledger.list_runs(store, last=last, source=source)]
    if as_json:
        print_json({"runs": runs})
        return
    table = RichTable(title=f"last {len(runs)} runs in {settings.database.redacted}")
    table.add_column("run", no_wrap=True)
    for name in ("source", "command", "started (UTC)", "took", "status", "rows", "http", "error"):
        table.add_column(name, overflow="fold")
    for r in runs:
        took = f"{(r['finished_at'] - r['started_at']).total_seconds():.0f}s" if r["finished_at"] else ""
        table.add_row(r["run_id"], r["source"], r["command"], when(r["started_at"]), took, status_text(r),
                      totals(r["counts"]), str(r["http_calls"] or 0), (r["error"] or "")[:120])
    console.print(table)
    if not runs:
        console.print("no runs recorded yet")


@runs_app.command("show")
def show_command(
    run_id: Annotated[str, typer.Argument(help="The run id (an unambiguous prefix will do).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """One run: its arguments, counts per table, units, dead letters, pre-flight and audits."""
    settings = settings_for(db)
    with connect(settings.database) as store:
        run = ledger.find_run(store, run_id)
        if run is None:
            many = [r["run_id"] for r in ledger.list_runs(store) if r["run_id"].startswith(run_id)]
            if len(many) > 1:
                raise fail(f"{run_id!r} is the start of {len(many)} run ids ({', '.join(many[:3])}"
                           f"{', ...' if len(many) > 3 else ''}): give more of it", EXIT_USAGE)
            raise fail(f"no run {run_id!r} in {settings.database.redacted}: `fieldhouse runs` lists them",
                       EXIT_USAGE)
        units = [{k: v for k, v in u.items() if k != "updated_at"} for u in ledger.unit_rows(store, run["run_id"])]
    view = run_view(run, settings)
    view["units"] = units
    if as_json:
        print_json(view)
        return
    console.print(f"run [bold]{view['run_id']}[/]: {view['source']} {view['command']} "
                  f"{json.dumps(view['arguments'], default=_plain)}", highlight=False)
    console.print(f"status {status_text(view)}; started {when(view['started_at'])} UTC, finished "
                  f"{when(view['finished_at']) or '-'}; {view['http_calls'] or 0} HTTP calls; "
                  f"{view['host']} pid {view['pid']}; fieldhouse {view['fieldhouse_version']}")
    if view["looks_dead"]:
        console.print(f"[red]looks dead:[/] {view['looks_dead']}", highlight=False)
    if view["error"]:
        console.print(f"[red]error:[/] {view['error']}", highlight=False, soft_wrap=True)
    if view["counts"]:
        table = RichTable(title="rows")
        table.add_column("table")
        for name in ("inserted", "updated", "unchanged", "stale", "rejected"):
            table.add_column(name, justify="right")
        for name, c in sorted(view["counts"].items()):
            table.add_row(name, *(str(c.get(k, 0)) for k in ("inserted", "updated", "unchanged", "stale", "rejected")))
        console.print(table)
    if units:
        table = RichTable(title="units")
        for name in ("unit", "kind", "status", "attempts", "seconds", "error"):
            table.add_column(name, overflow="fold")
        for u in units:
            table.add_row(u["unit_key"], u["kind"] or "", u["status"], str(u["attempts"]),
                          f"{u['duration']:.1f}" if u["duration"] is not None else "", u["error"] or "")
        console.print(table)
    for check in (view.get("preflight") or {}).get("checks", []):
        console.print(f"pre-flight {check['name']}: {check['status']} ({check['detail']})", highlight=False)
    for result in (view.get("audit") or {}).get("results", []):
        mark = "[green]passed[/]" if result["passed"] else "[red]FAILED[/]"
        console.print(f"audit {result['name']}: {mark} {result['detail']}", highlight=False, soft_wrap=True)
