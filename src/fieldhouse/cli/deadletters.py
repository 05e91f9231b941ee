"""``fieldhouse deadletters [list|retry|resolve ID]``: units that failed for good."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import (
    EXIT_FAILED,
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
from .output import print_json, when

dl_app = typer.Typer(help="Units that failed for good: list, retry or resolve them.")
app.add_typer(dl_app, name="deadletters")

AllOpt = Annotated[bool, typer.Option("--all", help="Resolved ones too.")]


def _list(db: str | None, show_all: bool, source: str | None, as_json: bool) -> None:
    from .. import query
    from ..runs.commands import open_stores

    check_source(source)
    settings = settings_for(db)
    with open_stores(settings) as stores:
        letters = query.dead_letters(stores.control, source=source, include_resolved=show_all)
    if as_json:
        print_json({"dead_letters": letters})
        return
    if not letters:
        console().print("no open dead letters" if not show_all else "no dead letters")
        return
    from rich.table import Table as RichTable

    table = RichTable(title=f"{len(letters)} {'' if show_all else 'open '}dead letters")
    for name in ("id", "source", "unit", "status", "attempts", "first seen", "last seen", "error"):
        table.add_column(name, overflow="fold")
    for r in letters:
        table.add_row(r.id, r.source, r.unit_key, r.status, str(r.attempts), when(r.first_seen),
                      when(r.last_seen), (r.error or "")[:160])
    console().print(table)


@dl_app.callback(invoke_without_command=True)
def deadletters_command(ctx: typer.Context, show_all: AllOpt = False, source: SourceFilter = None,
                        db: DbOption = None, as_json: JsonOption = False) -> None:
    """Open dead letters (what `list` shows)."""
    if ctx.invoked_subcommand is None:
        _list(db, show_all, source, as_json)


@dl_app.command("list")
def list_command(show_all: AllOpt = False, source: SourceFilter = None, db: DbOption = None,
                 as_json: JsonOption = False) -> None:
    """Open dead letters, oldest first (--all: resolved ones too)."""
    _list(db, show_all, source, as_json)


@dl_app.command("resolve")
def resolve_command(
    ident: Annotated[str, typer.Argument(metavar="ID", help="The dead letter's id (dl-...) or unit key.")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Close a dead letter by hand (e.g. the data will never exist)."""
    from .. import query
    from ..runs import deadletters
    from ..runs.commands import open_stores

    with open_stores(settings_for(db)) as stores:
        letter = query.dead_letter(stores.control, ident)
        if letter is None:
            raise fail(f"no dead letter {ident!r}: `fieldhouse deadletters list` shows them", EXIT_USAGE)
        closed = letter.model_dump()
        if letter.status != deadletters.RESOLVED:
            closed = deadletters.resolve(stores.control, closed, by="manual")
            closed.pop("updated_at", None)
    if as_json:
        print_json(closed)
    else:
        console().print(f"dead letter {closed['id']} ({closed['source']} {closed['unit_key']}) is resolved",
                        highlight=False)


@dl_app.command("retry")
def retry_command(
    source: SourceFilter = None,
    archive: Annotated[str | None, typer.Option("--archive", help="Read responses from this archive folder.",
                                                show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run just the open dead letters now (a sync also retries them first)."""
    from .. import query
    from ..runs import commands
    from ..runs.statuses import worst_exit_code
    from ..sources import registry

    check_source(source)
    settings = settings_for(db)
    with commands.open_stores(settings) as stores:
        names = sorted({letter.source for letter in query.dead_letters(stores.control, source=source)})
    if not names:
        console().print("no open dead letters")
        return
    missing = [name for name in names if name not in registry.names()]
    if missing:
        raise fail(f"the dead letters of source {missing[0]!r} cannot be retried: no source of that name is "
                   f"installed (the known sources are {', '.join(registry.names()) or 'none'}); "
                   f"install it, or resolve them with `fieldhouse deadletters resolve ID`", EXIT_FAILED)
    reports = [commands.retry(name, settings, archive=archive) for name in names]
    if as_json:
        print_json({"runs": [r.as_dict() for r in reports]})
    else:
        for r in reports:
            console().print(f"run {r.run_id} ({r.source} retry): {r.status}; closed "
                            f"{len(r.dead_letters_closed)}, still open {r.dead_letters_open}"
                            + (f"; {r.error}" if r.error else ""), highlight=False)
    raise typer.Exit(worst_exit_code([r.exit_code for r in reports]))
