"""``fieldhouse sync SOURCE [options]`` and ``fieldhouse backfill SOURCE [options]``: the
options are the source's own (``fieldhouse sync --help`` lists them)."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import DbOption, JsonOption, app, settings_for
from .output import print_json, show_report
from .source_options import PASS_ON, SourceCommand, source_name, source_values


def _run(command: str, ctx: typer.Context, source: str, db: str | None, as_json: bool) -> None:
    from ..runs import commands
    from ..sources import registry

    found = registry.get(source_name(source))
    values = source_values(found, command, ctx.args)
    settings = settings_for(db)
    run = commands.sync if command == "sync" else commands.backfill
    report = run(found.name, settings, **values)
    if as_json:
        print_json(report.as_dict())
    else:
        show_report(report)
    raise typer.Exit(report.exit_code)


@app.command(cls=SourceCommand, context_settings=PASS_ON)
def sync(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The source to sync (its options are listed below).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bring a source's data up to date: the first run fetches it all, later runs only what
    is new."""
    _run("sync", ctx, source, db, as_json)


@app.command(cls=SourceCommand, context_settings=PASS_ON)
def backfill(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The source (its options are listed below).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sync a span of history (e.g. several seasons), each piece an isolated unit: one
    failure never stops the rest."""
    _run("backfill", ctx, source, db, as_json)
