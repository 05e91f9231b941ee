"""``fieldhouse audit [--source S] [options]``: check the data now (the same audits every
run does after its units); recorded in the ledger as a run with command ``audit``."""

from __future__ import annotations

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
from .source_options import PASS_ON, SourceCommand, source_values


@app.command("audit", cls=SourceCommand, context_settings=PASS_ON)
def audit_command(ctx: typer.Context, source: SourceOption = None, db: DbOption = None,
                  as_json: JsonOption = False) -> None:
    """Run the source's data audits (for NBA: two team rows per final game, scores, points,
    orphans, schedule ...); exit code 1 if one fails."""
    from ..runs import commands
    from ..sources import registry

    found = registry.only(source)
    values = source_values(found, "audit", ctx.args)
    done = commands.audit(found.name, settings_for(db), **values)
    if as_json:
        print_json(done.as_dict())
    else:
        for result in done.report.results:
            mark = "[green]passed[/]" if result.passed else "[red]FAILED[/]"
            console().print(f"{mark} {result.name}: {result.detail}", highlight=False, soft_wrap=True)
        summary = done.report.summary() if done.passed else f"{len(done.report.failed)} audits failed"
        console().print(f"run {done.run_id}: {summary}", highlight=False)
    raise typer.Exit(EXIT_OK if done.passed else EXIT_FAILED)
