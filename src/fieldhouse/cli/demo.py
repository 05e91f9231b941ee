"""``fieldhouse demo``: the main job, offline, on the embedded SQLite default."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from ..demo import run_demo
from .app import DbOption, JsonOption, app, console, settings_for


@app.command()
def demo(
    db: DbOption = None,
    as_json: JsonOption = False,
    show: Annotated[int, typer.Option(help="How many rows of the result to print.")] = 8,
) -> None:
    """Load the bundled 2018-19 NBA playoffs team game log through the upsert engine,
    in shuffled, overlapping and out-of-date batches, and show what each batch did."""
    import json

    settings = settings_for(db)
    report = run_demo(settings.database)
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
        return
    steps = RichTable(title=f"fieldhouse demo into {settings.database.redacted}")
    for name in ("step", "rows", "inserted", "updated", "unchanged", "stale", "rejected"):
        steps.add_column(name, justify="left" if name == "step" else "right")
    for step, rows, result in report.steps:
        counts = result.counts()
        steps.add_row(step, str(rows), *(str(counts[k]) for k in ("inserted", "updated", "unchanged", "stale", "rejected")))
    console.print(steps)
    sample = RichTable(title=f"{report.table.name}: {report.row_count} rows (first {show})")
    columns = ["game_id", "team_abbreviation", "game_date", "matchup", "wl", "pts", "captured_at"]
    for name in columns:
        sample.add_column(name)
    for row in report.sample[:show]:
        sample.add_row(*(str(row[c]) for c in columns))
    console.print(sample)
