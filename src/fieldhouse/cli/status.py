"""``fieldhouse status``: per table its rows and newest version; per source its last run;
the open dead letters; the last audit."""

from __future__ import annotations

from .app import DbOption, JsonOption, SourceFilter, app, check_source, console, settings_for
from .output import print_json, status_text, when


@app.command("status")
def status_command(source: SourceFilter = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """What is in the database and how the last runs went."""
    from rich.table import Table as RichTable

    from .. import query
    from ..runs.commands import open_stores

    check_source(source)
    settings = settings_for(db)
    with open_stores(settings) as stores:
        data = query.status(stores.data, stores.control, database=settings.database.redacted, source=source,
                            stale_after=settings.run_stale_after, alert_settings=settings.alerts)
    if as_json:
        print_json(data)
        return
    out = console()
    table = RichTable(title=f"tables in {data.database}")
    for name in ("table", "rows", "newest"):
        table.add_column(name, justify="right" if name == "rows" else "left")
    for t in data.tables:
        table.add_row(t.table, str(t.rows), f"{when(t.newest)} ({t.newest_column})" if t.newest else "")
    out.print(table)
    if not data.sources:
        out.print("no runs recorded yet")
    for s in data.sources:
        last = s.last_run
        line = (f"{s.source}: last run {last.run_id} ({last.command}) {status_text(last.status, last.looks_dead)} "
                f"at {when(last.started_at)} UTC")
        if s.last_success and s.last_success.run_id != last.run_id:
            line += f"; last success {when(s.last_success.started_at)} UTC"
        out.print(line, highlight=False)
        if last.error:
            out.print(f"  {last.error[:300]}", highlight=False)
    letters = data.open_dead_letters
    out.print(f"open dead letters: {len(letters)}" + "".join(
        f"\n  {r.id} {r.source} {r.unit_key} ({r.attempts} attempts): {(r.error or '')[:120]}"
        for r in letters[:10]), highlight=False)
    audit = data.last_audit
    if audit is None:
        out.print("last audit: none")
    else:
        failed = [r["name"] for r in audit.results if not r["passed"]]
        out.print(f"last audit: run {audit.run_id} at {when(audit.at)} UTC: "
                  + ("[green]all passed[/]" if not failed else f"[red]failed:[/] {', '.join(failed)}"),
                  highlight=False)
    from rich.markup import escape

    if not data.alerts:
        out.print("alerts: none")
    else:
        out.print(f"[bold]alerts: {len(data.alerts)}[/]", highlight=False)
        for alert in data.alerts:
            mark = "[red]CRITICAL[/]" if alert.severity == "critical" else "[yellow]warning[/]"
            out.print(f"  {mark} {alert.name}: {escape(alert.message)}" + (f" ({alert.link})" if alert.link else ""),
                      highlight=False, soft_wrap=True)
