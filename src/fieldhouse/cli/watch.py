"""``fieldhouse watch SOURCE [options]``: poll a day's games while they are played
(docs/live.md).  On a terminal, a live table of the games (score, inning, last poll, next
poll); otherwise one log line per change (stderr)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer

from .app import DbOption, JsonOption, app, console, settings_for
from .output import print_json, show_report
from .source_options import PASS_ON, SourceCommand, source_name, source_values


class LiveTable:
    """The watched games as a rich table, redrawn after every poll."""

    def __init__(self, title: str) -> None:
        from rich.live import Live

        self.title = title
        self.games: dict[str, Any] = {}
        self.live = Live(self._table(), console=console(), refresh_per_second=2, transient=False)

    def _table(self):
        from rich.table import Table

        table = Table(title=self.title)
        for name in ("game", "", "score", "inning", "state", "last poll", "how", "next poll"):
            table.add_column(name)
        for key, event in sorted(self.games.items()):
            shown = (event.polled.shown if event.polled else {}) or {}
            nxt = "done" if event.next_in is None else f"{(event.when + timedelta(seconds=event.next_in)):%H:%M:%S}"
            state = event.polled.state if event.polled else "?"
            how = event.error if event.status != "success" else (event.polled.how if event.polled else "")
            table.add_row(key.rsplit("/", 1)[-1], str(shown.get("game", "")), str(shown.get("score", "")),
                          str(shown.get("inning", "")), state, f"{event.when:%H:%M:%S}", str(how)[:60], nxt)
        return table

    def __call__(self, event: Any) -> None:
        self.games[event.key] = event
        self.live.update(self._table())

    def __enter__(self) -> LiveTable:
        self.live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.__exit__(*exc)


@app.command(cls=SourceCommand, context_settings=PASS_ON)
def watch(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="The source to watch (its options are listed below).")],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Poll a day's games while they are played, until each is final (Ctrl-C or SIGTERM
    stops after the current poll).  A second watch of the same day exits 1."""
    from ..runs.watch import watch as run_watch
    from ..sources import registry

    found = registry.get(source_name(source))
    values = source_values(found, "watch", ctx.args)
    settings = settings_for(db)
    if console().is_terminal and not as_json:
        with LiveTable(f"{found.name} watch") as table:
            report = run_watch(found.name, settings, on_event=table, **values)
    else:
        report = run_watch(found.name, settings, **values)
    if as_json:
        print_json(report.as_dict())
    else:
        show_report(report)
    raise typer.Exit(report.exit_code)
