"""``fieldhouse doctor``: the pre-flight checks every run makes, alone."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import (
    EXIT_FAILED,
    EXIT_OK,
    DbOption,
    JsonOption,
    SourceOption,
    app,
    console,
    settings_for,
)
from .output import print_json


@app.command("doctor")
def doctor_command(
    source: SourceOption = None,
    archive: Annotated[str | None, typer.Option("--archive", help="Runs will read this archive: skip the API check.",
                                                show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the database (reachable, writable, schema version) and the source's API host;
    exit code 1 if a check fails."""
    from ..runs import commands

    report = commands.doctor(source, settings_for(db), archive=archive)
    if as_json:
        print_json(report.as_dict())
    else:
        for check in report.checks:
            colour = {"ok": "green", "failed": "red"}.get(check.status, "yellow")
            console().print(f"[{colour}]{check.status:>7}[/] {check.name}: {check.detail}", highlight=False,
                            soft_wrap=True)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)
