"""``fieldhouse sync nba`` and ``fieldhouse backfill nba``."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer
from rich.table import Table as RichTable

from ..sources.nba.seasons import parse_season, parse_season_range, parse_season_types
from .app import EXIT_OK, DbOption, JsonOption, app, check_source, console, fail, settings_for

SOURCES = ("nba",)

ArchiveOpt = Annotated[str | None, typer.Option("--archive", help="Read responses from this archive folder instead of the network.")]
FullOpt = Annotated[bool, typer.Option("--full", help="Ignore the watermark: fetch the whole season again.")]
SeasonTypeOpt = Annotated[str, typer.Option("--season-type", help="regular, playoffs, play_in or all.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Treat this date (YYYY-MM-DD) as today: which season is in progress, which days to schedule. Default: today, or offline the day of the archive's newest capture.")]
SafetyOpt = Annotated[int, typer.Option("--safety-days", help="Re-fetch this many days before the watermark.")]
AcceptShrinkOpt = Annotated[bool, typer.Option("--accept-shrink", help="Apply responses far smaller than the previous capture of the same request (held back as suspect by default).")]


def _check_source(source: str) -> None:
    check_source(source, SOURCES)


def _as_of(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"--as-of {text!r} is not a date: write it as YYYY-MM-DD", 2) from None


def run_nba(seasons: list[str], season_type: str, *, db: str | None, archive: str | None, full: bool,
            as_of: date | None, safety_days: int, command: str, as_json: bool, accept_shrink: bool = False) -> None:
    from ..sources.nba.run import sync_nba

    settings = settings_for(db)
    report = sync_nba(settings, seasons, parse_season_types(season_type), archive=archive, full=full,
                      as_of=as_of, safety_days=safety_days, command=command, accept_shrink=accept_shrink)
    if as_json:
        console.print_json(json.dumps(report.as_dict()))
    else:
        show_report(report)
    raise typer.Exit(report.exit_code)


def show_report(report) -> None:
    data = report.as_dict()
    title = f"{data.get('command', 'sync')} {data.get('source', '')}: {data['status']} ({data['http_calls']} HTTP calls)"
    if not data["tables"]:  # e.g. a failed pre-flight: no empty table, the error says why
        console.print(title + (f": {data['error']}" if data.get("error") else ", nothing written"), highlight=False)
    else:
        table = RichTable(title=title)
        table.add_column("table")
        for name in ("inserted", "updated", "unchanged", "stale", "rejected"):
            table.add_column(name, justify="right")
        for name, counts in data["tables"].items():
            table.add_row(name, *(str(counts[k]) for k in ("inserted", "updated", "unchanged", "stale", "rejected")))
        console.print(table)
    for unit in data.get("units", []):
        if unit["status"] != "success":
            console.print(f"[red]unit {unit['key']} failed:[/] {unit['error']}", highlight=False)


@app.command()
def sync(
    source: Annotated[str, typer.Argument(help="The source to sync: nba.")],
    season: Annotated[str, typer.Option("--season", help="The season, e.g. 2025-26.")],
    season_type: SeasonTypeOpt = "all",
    archive: ArchiveOpt = None,
    full: FullOpt = False,
    as_of: AsOfOpt = None,
    safety_days: SafetyOpt = 2,
    accept_shrink: AcceptShrinkOpt = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bring a season up to date: the first run fetches it all, later runs only what is new."""
    _check_source(source)
    run_nba([parse_season(season)], season_type, db=db, archive=archive, full=full,
            as_of=_as_of(as_of), safety_days=safety_days, command="sync", as_json=as_json,
            accept_shrink=accept_shrink)
    raise typer.Exit(EXIT_OK)


@app.command()
def backfill(
    source: Annotated[str, typer.Argument(help="The source: nba.")],
    seasons: Annotated[str, typer.Option("--seasons", help="A range such as 2019-20..2024-25, or a comma list.")],
    season_type: SeasonTypeOpt = "all",
    archive: ArchiveOpt = None,
    full: FullOpt = False,
    as_of: AsOfOpt = None,
    safety_days: SafetyOpt = 2,
    accept_shrink: AcceptShrinkOpt = False,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sync several seasons, each season type an isolated unit: one failure never stops the rest."""
    _check_source(source)
    run_nba(parse_season_range(seasons), season_type, db=db, archive=archive, full=full,
            as_of=_as_of(as_of), safety_days=safety_days, command="backfill", as_json=as_json,
            accept_shrink=accept_shrink)
