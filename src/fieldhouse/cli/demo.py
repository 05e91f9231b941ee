"""``fieldhouse demo [SOURCE]``: each source's offline demo, on the embedded SQLite default."""

from __future__ import annotations

from typing import Annotated

import typer

from .app import DbOption, JsonOption, app, console, settings_for, setup_logging
from .output import print_json, show_report


@app.command()
def demo(
    source: Annotated[str | None, typer.Argument(help="Only this source's demo (default: every source's).",
                                                 show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Sync each source from the archive bundled in the package (real recorded responses, no
    network) into the database, then show what landed (for NBA: the 2018-19 playoffs, then
    the Finals; for MLB: a Final feed, then an older Live capture of the same game that
    changes nothing, then its line score).  Run it again: NBA re-reads only its incremental
    window, MLB reads every file again, and nothing changes."""
    if not as_json:  # the first line at once, before the imports, the settings and the syncs
        which = f"the bundled archive of {source}" if source else "each source's bundled archive"
        console().print(f"fieldhouse demo: syncing {which} (offline)", highlight=False)
    setup_logging()  # checks every FIELDHOUSE_* variable (an invalid one: exit 2)
    from rich.table import Table as RichTable

    from ..runs import commands
    from ..runs.statuses import worst_exit_code
    from ..sources import registry

    settings = settings_for(db)
    names = [source] if source else [name for _, name in sorted(
        (s.demo.order, s.name) for s in registry.resolve(None) if getattr(s, "demo", None))]
    done = [commands.demo(name, settings) for name in names]
    code = worst_exit_code([d.report.exit_code for d in done])
    if as_json:
        shown = [{**d.report.as_dict(), "database": settings.database.redacted} for d in done]
        print_json(shown[0] if len(shown) == 1 else {"demos": shown})
        raise typer.Exit(code)
    out = console()
    for d in done:
        out.print(f"fieldhouse demo: {d.title} into {settings.database.redacted}")
        show_report(d.report)
        for shown_table in d.shown:
            table = RichTable(title=shown_table.title)
            for name in shown_table.columns:
                table.add_column(name)
            for row in shown_table.rows:
                table.add_row(*(str(v) for v in row))
            out.print(table)
    raise typer.Exit(code)
