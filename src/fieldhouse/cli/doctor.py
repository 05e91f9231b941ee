"""``fieldhouse doctor``: the pre-flight checks every run makes, alone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import FieldhouseError
from ..runs.doctor import FAILED, Check, DoctorReport, check_api, preflight
from ..stores import connect
from .app import EXIT_FAILED, EXIT_OK, DbOption, JsonOption, app, console, settings_for
from .runs import print_json


def nba_api_check(settings):
    """The sync's own pre-flight request to the NBA stats host (tried twice, at most 10 s of
    waiting)."""
    from ..sources.nba import sync
    from ..sources.nba.client import NBAClient

    def check() -> str:
        client = NBAClient.from_settings(settings, max_attempts=2, max_total_wait=10)
        try:
            return sync.api_check(client)()
        finally:
            client.close()

    return check


API_CHECKS = {"nba": nba_api_check}


@app.command("doctor")
def doctor_command(
    source: Annotated[str, typer.Option("--source", help="Whose API host to try.")] = "nba",
    archive: Annotated[str | None, typer.Option("--archive", help="Runs will read this archive: skip the API check.",
                                                show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check the database (reachable, writable, schema version) and the API host; exit code 1
    if a check fails."""
    settings = settings_for(db)
    if archive is not None and not Path(archive).is_dir():
        report = DoctorReport([Check("archive", FAILED, f"archive folder {archive!r} does not exist: give the "
                                     "folder `fieldhouse archive export` wrote, or leave out --archive")])
    else:
        api = None if archive else API_CHECKS[source](settings) if source in API_CHECKS else None
        why = "reading an archive: no API call needed" if archive else f"no API check for source {source!r}"
        try:
            store = connect(settings.database)
        except FieldhouseError as exc:
            report = DoctorReport([Check("database", FAILED, str(exc)), check_api(api, why)])
        else:
            with store:
                report = preflight(store, api, api_skipped_because=why)
    if as_json:
        print_json(report.as_dict())
    else:
        for check in report.checks:
            colour = {"ok": "green", "failed": "red"}.get(check.status, "yellow")
            console.print(f"[{colour}]{check.status:>7}[/] {check.name}: {check.detail}", highlight=False,
                          soft_wrap=True)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)
