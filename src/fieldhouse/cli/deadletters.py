"""``fieldhouse deadletters [list|retry|resolve ID]``: units that failed for good."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table as RichTable

from ..runs import deadletters
from ..stores import connect
from .app import (
    EXIT_FAILED,
    EXIT_USAGE,
    DbOption,
    JsonOption,
    app,
    check_source,
    console,
    fail,
    known_sources,
    settings_for,
)
from .runs import print_json, when

dl_app = typer.Typer(help="Units that failed for good: list, retry or resolve them.")
app.add_typer(dl_app, name="deadletters")

AllOpt = Annotated[bool, typer.Option("--all", help="Resolved ones too.")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Only this source.", show_default=False)]


def _check_source(store, source: str | None) -> None:
    """A source fieldhouse knows, or one with dead letters."""
    if source is not None:
        check_source(source, {*known_sources(), *(r["source"] for r in deadletters.list_letters(store, status=None))})


def _view(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("updated_at",)}


def _list(db: str | None, show_all: bool, source: str | None, as_json: bool) -> None:
    settings = settings_for(db)
    with connect(settings.database) as store:
        _check_source(store, source)
        rows = deadletters.list_letters(store, source=source, status=None if show_all else deadletters.OPEN)
    if as_json:
        print_json({"dead_letters": [_view(r) for r in rows]})
        return
    if not rows:
        console.print("no open dead letters" if not show_all else "no dead letters")
        return
    table = RichTable(title=f"{len(rows)} {'' if show_all else 'open '}dead letters")
    for name in ("id", "source", "unit", "status", "attempts", "first seen", "last seen", "error"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row(r["id"], r["source"], r["unit_key"], r["status"], str(r["attempts"]),
                      when(r["first_seen"]), when(r["last_seen"]), (r["error"] or "")[:160])
    console.print(table)


@dl_app.callback(invoke_without_command=True)
def deadletters_command(ctx: typer.Context, show_all: AllOpt = False, source: SourceOpt = None,
                        db: DbOption = None, as_json: JsonOption = False) -> None:
    """Open dead letters (what `list` shows)."""
    if ctx.invoked_subcommand is None:
        _list(db, show_all, source, as_json)


@dl_app.command("list")
def list_command(show_all: AllOpt = False, source: SourceOpt = None, db: DbOption = None,
                 as_json: JsonOption = False) -> None:
    """Open dead letters, oldest first (--all: resolved ones too)."""
    _list(db, show_all, source, as_json)


@dl_app.command("resolve")
def resolve_command(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The dead letter's id (dl-...) or unit key.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close a dead letter by hand (e.g. the data will never exist).  A dead letter of a
    suspect (shrunken) response applies that kept response on purpose, then closes."""
    from ..sources.replay import apply_suspect

    settings = settings_for(db)
    applied = None
    with connect(settings.database) as store:
        row = deadletters.find(store, ident)
        if row is None:
            raise fail(f"no dead letter {ident!r}: `fieldhouse deadletters list` shows them", EXIT_USAGE)
        if row["status"] == deadletters.RESOLVED:
            closed = row
        else:
            with store.transaction():
                applied = apply_suspect(store, row["raw_ref"])
                closed = deadletters.resolve(store, row, by="manual")
    counts = {name: r.counts() for name, r in sorted(applied.results.items())} if applied else None
    if as_json:
        print_json({**_view(closed), **({"applied": counts} if applied else {})})
    else:
        console.print(f"dead letter {closed['id']} ({closed['source']} {closed['unit_key']}) is resolved"
                      + (f"; its suspect response was applied: {counts}" if applied else ""), highlight=False)


@dl_app.command("retry")
def retry_command(
    source: SourceOpt = None,
    archive: Annotated[str | None, typer.Option("--archive", help="Read responses from this archive folder.",
                                                show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run just the open dead letters now (a sync also retries them first)."""
    settings = settings_for(db)
    with connect(settings.database) as store:
        _check_source(store, source)
        sources = sorted({r["source"] for r in deadletters.list_letters(store, source=source)})
    if not sources:
        console.print("no open dead letters")
        return
    worst = 0
    reports = []
    for name in sources:
        retry = deadletters.retry_function(name)
        if retry is None:
            raise fail(f"source {name!r} cannot retry its dead letters on its own: run its sync "
                       f"(e.g. `fieldhouse sync {name} --season ...`), which retries them first", EXIT_FAILED)
        report = retry(settings, archive=archive)
        reports.append(report)
        worst = max(worst, report.exit_code, key=lambda c: (0, 3, 1).index(c) if c in (0, 3, 1) else 9)
    if as_json:
        print_json({"runs": [r.as_dict() for r in reports]})
    else:
        for r in reports:
            console.print(f"run {r.run_id} ({r.source} retry): {r.status}; closed "
                          f"{len(r.dead_letters_closed)}, still open {r.dead_letters_open}"
                          + (f"; {r.error}" if r.error else ""), highlight=False)
    raise typer.Exit(worst)
