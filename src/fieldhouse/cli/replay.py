"""``fieldhouse replay``: rebuild tables from the raw landing zone, with no network."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table as RichTable

from ..sources.replay import load_handlers, replay
from ..stores import connect
from .app import (
    EXIT_PARTIAL,
    EXIT_USAGE,
    DbOption,
    JsonOption,
    app,
    check_source,
    console,
    fail,
    settings_for,
)

SourceOption = Annotated[str | None, typer.Option("--source", help="Only this source (e.g. nba).",
                                                  show_default=False)]
SinceOption = Annotated[str | None, typer.Option(
    "--since", help="Only responses captured on or after this date (YYYY-MM-DD, UTC).",
    show_default=False)]


def parse_since(since: str | None) -> date | None:
    if since is None:
        return None
    try:
        return date.fromisoformat(since)
    except ValueError:
        raise fail(f"--since {since!r} is not a date: write it as YYYY-MM-DD", EXIT_USAGE) from None


@app.command("replay")
def replay_command(
    source: SourceOption = None,
    since: SinceOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Re-run the mappings over the stored raw responses, oldest first, without any network
    call.  Replaying twice changes nothing; an older response never brings back older
    values.  Exit code 3 if a response could not be mapped or rows were rejected."""
    check_source(source)
    start = parse_since(since)
    settings = settings_for(db)
    load_handlers()
    with connect(settings.database) as store:
        report = replay(store, source=source, since=start)
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
    else:
        table = RichTable(title=f"replayed {report.responses} responses into {settings.database.redacted}")
        for name in ("table", "inserted", "updated", "unchanged", "stale", "rejected"):
            table.add_column(name, justify="left" if name == "table" else "right")
        for name, result in sorted(report.tables.items()):
            table.add_row(name, *(str(v) for v in result.counts().values()))
        console.print(table)
        for key, n in report.unhandled.items():
            console.print(f"no handler for {key}: {n} stored responses left as they are")
        for src, endpoint, params, error in report.failures:
            console.print(f"[red]failed[/] {src} {endpoint} {params}: {error}", highlight=False)
    if report.failures or any(r.rejected for r in report.tables.values()):
        raise typer.Exit(EXIT_PARTIAL)
