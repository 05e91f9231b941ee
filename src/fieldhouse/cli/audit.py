"""``fieldhouse audit``: check the data now (the same audits every run does after its units)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from ..runs import ledger
from ..runs.audits import AuditReport, audits_for, run_audits
from ..stores import Store, connect
from .app import (
    EXIT_FAILED,
    EXIT_OK,
    DbOption,
    JsonOption,
    app,
    check_source,
    console,
    settings_for,
)
from .runs import print_json


def record_audit(store: Store, source: str, arguments: dict, report: AuditReport) -> str:
    """Keep a standalone audit in the ledger, as a run with command ``audit``."""
    record = ledger.RunRecord(source, "audit", arguments)
    ledger.ensure_ledger(store)
    record.update(status=ledger.SUCCESS if report.passed else ledger.FAILED,
                  finished_at=datetime.now(UTC), audit=report.as_dict(),
                  error=None if report.passed else report.summary())
    record.save(store)
    return record.run_id


@app.command("audit")
def audit_command(
    source: Annotated[str, typer.Option("--source", help="The source whose data to audit.")] = "nba",
    season: Annotated[str | None, typer.Option("--season", help="Only this season, e.g. 2018-19.",
                                               show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run the data audits (two team rows per final game, scores, points, orphans, schedule ...);
    exit code 1 if one fails.  Recorded in the ledger as a run with command "audit"."""
    check_source(source)
    if season is not None and source == "nba":
        from ..sources.nba.seasons import parse_season

        season = parse_season(season)
    settings = settings_for(db)
    arguments = {"season": season} if season else {}
    audits = audits_for(source, **arguments)
    with connect(settings.database) as store:
        report = run_audits(store, audits)
        run_id = record_audit(store, source, arguments, report)
    if as_json:
        print_json({"run_id": run_id, "source": source, **arguments, **report.as_dict()})
    elif report.passed and report.nothing_checked:
        console.print(f"run {run_id}: {report.summary()} in {settings.database.redacted}", highlight=False)
    else:
        for result in report.results:
            mark = "[green]passed[/]" if result.passed else "[red]FAILED[/]"
            console.print(f"{mark} {result.name}: {result.detail}", highlight=False, soft_wrap=True)
        console.print(f"run {run_id}: {report.summary() if report.passed else str(len(report.failed)) + ' audits failed'}",
                      highlight=False)
    raise typer.Exit(EXIT_OK if report.passed else EXIT_FAILED)

