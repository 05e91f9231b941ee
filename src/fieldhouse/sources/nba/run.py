"""Running an NBA sync: a client (live or archive), the units, the recorded run around them."""

from __future__ import annotations

from datetime import date
from typing import Any

from ...runs import RunReport, execute_run
from ...stores import connect
from .audits import audits_for
from .sync import SOURCE, api_check, archive_as_of, make_client, plan_units, unit_for_key


def sync_nba(settings: Any, seasons: list[str], season_types: list[str], *, archive: str | None = None,
             full: bool = False, as_of: date | None = None, safety_days: int = 2,
             command: str = "sync", schedule_days: int = 1, progress: Any = None) -> RunReport:
    """Sync ``seasons`` as one recorded run (see docs/nba.md and docs/runs.md)."""
    archive = archive or getattr(settings, "archive_dir", None)
    client = make_client(settings, archive)
    if as_of is None and archive:
        as_of = archive_as_of(archive)
    arguments = {"seasons": seasons, "season_types": season_types, "archive": archive, "full": full,
                 "as_of": as_of.isoformat() if as_of else None, "safety_days": safety_days}
    try:
        with connect(settings.database) as store:
            return execute_run(
                store, source=SOURCE, command=command, arguments=arguments,
                units=lambda: plan_units(client, store, seasons, season_types, full=full, as_of=as_of,
                                         schedule_days=schedule_days, safety_days=safety_days),
                unit_for_key=lambda key: unit_for_key(client, store, key, as_of=as_of, full=full,
                                                      safety_days=safety_days),
                http_calls=lambda: getattr(client.fetcher, "requests_sent", 0),
                api_check=None if archive else api_check(client),
                audits=[a for season in seasons for a in audits_for(season, today=as_of)],
                settings=settings, progress=progress,
            )
    finally:
        client.close()
