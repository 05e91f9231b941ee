"""``fieldhouse replay``: rebuild tables from the raw landing zone, with no network."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from .app import (
    EXIT_PARTIAL,
    EXIT_USAGE,
    DbOption,
    JsonOption,
    SourceFilter,
    app,
    check_source,
    console,
    fail,
    settings_for,
)
from .output import counts_table, print_json

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
    source: SourceFilter = None,
    since: SinceOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
    executor: Annotated[str, typer.Option(
        "--executor", help="Where the responses are applied: local (this process), dask, "
        "dask://HOST:PORT, spark, spark://HOST:PORT (docs/scale.md).")] = "local",
) -> None:
    """Re-run the mappings over the stored raw responses, oldest first, without any network
    call.  Replaying twice changes nothing; an older response never brings back older
    values.  Exit code 3 if a response could not be mapped or rows were rejected."""
    from ..runs.commands import open_stores
    from ..runs.executors import ExecutorSpec
    from ..runs.executors.replay import replay

    spec = ExecutorSpec.parse(executor)  # a bad --executor exits 2 before anything is done
    start = parse_since(since)
    check_source(source)
    settings = settings_for(db)
    with open_stores(settings) as stores:
        report = replay(stores.data, source=source, since=start, control=stores.control,
                        executor=None if spec.kind == "local" else str(spec))
    if as_json:
        print_json(report.as_dict())
    else:
        console().print(counts_table(f"replayed {report.responses} responses into {settings.database.redacted}",
                                     report.tables.as_dict()))
        for key, n in report.unhandled.items():
            console().print(f"no handler for {key}: {n} stored responses left as they are")
        for src, endpoint, params, error in report.failures:
            console().print(f"[red]failed[/] {src} {endpoint} {params}: {error}", highlight=False)
    if report.failures or any(r.rejected for r in report.tables.values()):
        raise typer.Exit(EXIT_PARTIAL)
