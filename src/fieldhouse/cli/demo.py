"""``fieldhouse demo``: the main job, offline, on the embedded SQLite default."""

from __future__ import annotations

import json

import typer
from rich.table import Table as RichTable

from .app import DbOption, JsonOption, app, console, settings_for
from .sync import show_report


@app.command()
def demo(db: DbOption = None, as_json: JsonOption = False) -> None:
    """Sync the 2018-19 NBA playoffs from the archive bundled in the package (real recorded
    responses, no network) into the database, then show the Finals.  Run it again: only
    the incremental window is re-read, and nothing changes."""
    from ..sources.nba.demo import run_demo

    settings = settings_for(db)
    report, finals = run_demo(settings)
    if as_json:
        console.print_json(json.dumps({**report.as_dict(), "database": settings.database.redacted}))
        raise typer.Exit(report.exit_code)
    console.print(f"fieldhouse demo: the 2018-19 NBA playoffs into {settings.database.redacted}")
    show_report(report)
    games = RichTable(title="The 2019 Finals, from nba.games")
    for name in ("game_id", "game_date", "home", "score", "away", "winner"):
        games.add_column(name)
    for g in finals:
        games.add_row(g["game_id"], str(g["game_date"]), g["home"], f"{g['home_score']}-{g['away_score']}",
                      g["away"], g["winner"])
    console.print(games)
    raise typer.Exit(report.exit_code)
