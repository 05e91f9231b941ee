"""``fieldhouse archive export|import DIR``: raw responses as plain files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .app import DbOption, JsonOption, SourceFilter, app, check_source, console, settings_for
from .output import print_json
from .replay import SinceOption, parse_since

archive_app = typer.Typer(
    help="Move raw responses between machines: one .json.gz per response plus index.jsonl.",
    no_args_is_help=True,
)
app.add_typer(archive_app, name="archive")

DirArgument = Annotated[Path, typer.Argument(help="The archive directory.", show_default=False)]


def _report(verb: str, directory: Path, report, as_json: bool) -> None:
    if as_json:
        print_json({"directory": str(directory), **report.as_dict()})
    else:
        console().print(f"{verb} {directory}: {report.added} added, {report.unchanged} already there")


@archive_app.command("export")
def export_command(
    directory: DirArgument,
    source: SourceFilter = None,
    since: SinceOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Write the stored raw responses to DIR (created if needed; an existing archive is
    added to)."""
    from ..runs.commands import open_stores
    from ..sources.archive import export_archive

    start = parse_since(since)
    check_source(source)
    with open_stores(settings_for(db)) as stores:
        report = export_archive(stores.control, directory, source=source, since=start)
    _report("exported to", directory, report, as_json)


@archive_app.command("import")
def import_command(directory: DirArgument, db: DbOption = None, as_json: JsonOption = False) -> None:
    """Land the responses of the archive DIR in the database (content already held is left
    alone); then ``fieldhouse replay`` builds the tables from them."""
    from ..runs.commands import open_stores
    from ..sources.archive import import_archive

    with open_stores(settings_for(db)) as stores:
        report = import_archive(stores.control, directory)
    _report("imported from", directory, report, as_json)
