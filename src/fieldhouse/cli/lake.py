"""``fieldhouse lake optimize|vacuum``: maintenance of a Delta lake (``--db delta:///...``)."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import DbOption, JsonOption, app, console, settings_for
from .output import print_json

lake_app = typer.Typer(help="Maintain a Delta lake: compact small files, delete files no version needs.",
                       no_args_is_help=True)
app.add_typer(lake_app, name="lake")

TablesOption = Annotated[list[str] | None, typer.Option("--table", help="Only this table (repeat for several).",
                                                          show_default=False)]


def _report(verb: str, results, as_json: bool) -> None:
    if as_json:
        print_json({"tables": [r.as_dict() for r in results]})
        return
    for r in results:
        if verb == "optimized":
            text = f"{r.files_removed} files compacted into {r.files_added}"
        else:
            text = f"{r.files_deleted} unreferenced files deleted"
        console().print(f"{verb} {r.table}: {text} (version {r.version})", highlight=False)
    if not results:
        console().print("the lake has no tables", highlight=False)


@lake_app.command("optimize")
def optimize_command(
    zorder: Annotated[str | None, typer.Option("--zorder", help="Z-order by these columns (comma-separated).",
                                               show_default=False)] = None,
    table: TablesOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Compact each table's small files into larger ones (a new table version; readers at
    older versions are unaffected)."""
    from ..stores import connect
    from ..stores.lake import optimize

    cols = [c.strip() for c in zorder.split(",") if c.strip()] if zorder else None
    with connect(settings_for(db).database) as store:
        _report("optimized", optimize(store, table, cols), as_json)


@lake_app.command("vacuum")
def vacuum_command(
    retain_hours: Annotated[int | None, typer.Option("--retain-hours", min=0,
                                                     help="Keep files younger than this (default: 168).",
                                                     show_default=False)] = None,
    table: TablesOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete the data files that no table version within the retention refers to."""
    from ..stores import connect
    from ..stores.lake import vacuum

    with connect(settings_for(db).database) as store:
        _report("vacuumed", vacuum(store, table, retain_hours), as_json)
