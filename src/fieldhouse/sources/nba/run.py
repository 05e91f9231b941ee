"""Running NBA work as recorded runs: a client (live or archive), the units, the run around
them (pre-flight, lock, dead letters first, audits; see docs/runs.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from ...runs import RunReport, execute_run
from ...stores import Store, connect
from ..raw import shrink_policy
from .audits import audits_for
from .client import NBAClient
from .seasons import check_arguments
from .sync import SOURCE, api_check, archive_as_of, make_client, plan_units, unit_for_key


def _run(settings: Any, archive: str | None, as_of: date | None, *, command: str,
         arguments: dict[str, Any], units: Callable[[NBAClient, Store], list], full: bool = False,
         safety_days: int = 2, audits: list | None = None, progress: Any = None,
         accept_shrink: bool = False) -> RunReport:
    archive = archive or getattr(settings, "archive_dir", None)
    client = make_client(settings, archive)
    if as_of is None and archive:
        as_of = archive_as_of(archive)
    arguments = {**arguments, "archive": archive, "as_of": as_of.isoformat() if as_of else None}
    try:
        with connect(settings.database) as store, shrink_policy(
                getattr(settings, "shrink_min_fraction", 0.5), accept=accept_shrink):
            return execute_run(
                store, source=SOURCE, command=command, arguments=arguments,
                units=lambda: units(client, store),
                unit_for_key=lambda key: unit_for_key(client, store, key, as_of=as_of, full=full,
                                                      safety_days=safety_days),
                http_calls=lambda: getattr(client.fetcher, "requests_sent", 0),
                api_check=None if archive else api_check(client),
                audits=audits, settings=settings, progress=progress,
            )
    finally:
        client.close()


def sync_nba(settings: Any, seasons: list[str], season_types: list[str], *, archive: str | None = None,
             full: bool = False, as_of: date | None = None, safety_days: int = 2,
             command: str = "sync", schedule_days: int = 1, progress: Any = None,
             accept_shrink: bool = False) -> RunReport:
    """Sync ``seasons`` as one recorded run (see docs/nba.md); ConfigError, before anything
    is recorded, for arguments no sync can honour (:func:`.seasons.check_arguments`).
    ``accept_shrink``: apply responses the shrink guard would hold back as suspect."""
    offline = archive or getattr(settings, "archive_dir", None)
    newest = archive_as_of(offline) if offline else None
    if as_of is None:
        as_of = newest
    check_arguments(seasons, as_of=as_of, safety_days=safety_days, newest_capture=newest)
    return _run(
        settings, archive, as_of, command=command, full=full, safety_days=safety_days, progress=progress,
        accept_shrink=accept_shrink,
        arguments={"seasons": seasons, "season_types": season_types, "full": full, "safety_days": safety_days,
                   **({"accept_shrink": True} if accept_shrink else {})},
        units=lambda client, store: plan_units(client, store, seasons, season_types, full=full, as_of=as_of,
                                               schedule_days=schedule_days, safety_days=safety_days),
        audits=[a for season in seasons for a in audits_for(season, today=as_of)],
    )


def retry_nba(settings: Any, *, archive: str | None = None) -> RunReport:
    """A recorded run (command ``retry``) of just the open NBA dead letters."""
    return _run(settings, archive, None, command="retry", arguments={}, units=lambda client, store: [])
