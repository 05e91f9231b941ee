"""``fieldhouse sync SOURCE [options]`` and ``fieldhouse backfill SOURCE [options]``: the
options are the source's own (``fieldhouse sync --help`` lists them)."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import DbOption, JsonOption, app, settings_for
from .output import print_json, show_report
from .source_options import PASS_ON, SourceCommand, source_name, source_values

ExecutorOption = Annotated[str, typer.Option(
    "--executor", help="Where the units run: local (this process), dask (a local cluster of 2 "
    "workers), dask://HOST:PORT, spark (a local SparkSession), spark://HOST:PORT (docs/scale.md).")]

AcceptShrinkOption = Annotated[bool, typer.Option(
    "--accept-shrink", help="Apply responses far smaller than the previous capture of the same request "
    "(held back as suspect by default, see docs/fetching.md).")]


def _run(command: str, ctx: typer.Context, source: str, db: str | None, as_json: bool,
         accept_shrink: bool, executor: str = "local") -> None:
    from ..runs import commands
    from ..runs.executors import ExecutorSpec
    from ..sources import registry

    spec = ExecutorSpec.parse(executor)  # a bad --executor exits 2 before anything is recorded
    found = registry.get(source_name(source))
    values = source_values(found, command, ctx.args)
    settings = settings_for(db)
    run = commands.sync if command == "sync" else commands.backfill
    report = run(found.name, settings, accept_shrink=accept_shrink,
                 executor=None if spec.kind == "local" else str(spec), **values)
    if as_json:
        print_json(report.as_dict())
    else:
        show_report(report)
    raise typer.Exit(report.exit_code)


@app.command(cls=SourceCommand, context_settings=PASS_ON)
def sync(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The source to sync (its options are listed below).")],
    accept_shrink: AcceptShrinkOption = False,
    executor: ExecutorOption = "local",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bring a source's data up to date: the first run fetches it all, later runs only what
    is new."""
    _run("sync", ctx, source, db, as_json, accept_shrink, executor)


@app.command(cls=SourceCommand, context_settings=PASS_ON)
def backfill(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The source (its options are listed below).")],
    accept_shrink: AcceptShrinkOption = False,
    executor: ExecutorOption = "local",
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sync a span of history (e.g. several seasons), each piece an isolated unit: one
    failure never stops the rest."""
    _run("backfill", ctx, source, db, as_json, accept_shrink, executor)
