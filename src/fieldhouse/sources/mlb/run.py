"""Running MLB work as recorded runs (pre-flight, the source's lock, dead letters first,
then the units, then the MLB audits; see docs/runs.md and docs/mlb.md)::

    sync_mlb(settings, dates=(date(2024, 7, 1), date(2024, 7, 7)))
    sync_mlb(settings, season="2024")
    sync_mlb(settings, games=[717209, 746139])
    backfill_mlb(settings, ["2021", "2022", "2023", "2024"])
    sync_mlb(settings, from_files="saved_feeds/")       # no network
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ...errors import ConfigError
from ...runs import RunReport, execute_run
from ...stores import Store, connect
from . import files
from .audits import audits_for
from .client import MLBClient
from .plan import DEFAULT_SAFETY_DAYS, plan_dates, plan_games, plan_season, unit_for_key
from .units import SOURCE, FileUnit

# A small, stable answer of the API for the pre-flight (one call, counted like any).
API_CHECK_SEASON = "2024"


def api_check(client: MLBClient) -> Callable[[], str]:
    def check() -> str:
        response = client.seasons(API_CHECK_SEASON)
        return f"statsapi answers ({len(response.body)} bytes)"

    return check


def file_units(folder: str | Path) -> list[FileUnit]:
    """One unit per file under ``folder`` (recursively, in name order); read in the unit."""
    root = Path(folder)
    if root.is_file():
        return [FileUnit(root)]
    if not root.is_dir():
        raise ConfigError(f"--from-files {folder}: no such folder")
    return [FileUnit(path) for path in files.paths(root)]


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _scope(date_range: tuple[date, date] | None, season: str | None, games: list[int] | None,
           from_files: str | None) -> str:
    given = [name for name, value in (("dates", date_range), ("season", season), ("games", games),
                                      ("from_files", from_files)) if value]
    if len(given) != 1:
        raise ConfigError("give exactly one of --date/--dates, --season, --games or --from-files"
                          f" (got {', '.join(given) or 'none'})")
    return given[0]


def sync_mlb(settings: Any, *, dates: tuple[date, date] | None = None, season: str | None = None,
             games: Iterable[int] | None = None, from_files: str | Path | None = None, full: bool = False,
             as_of: date | None = None, safety_days: int = DEFAULT_SAFETY_DAYS, command: str = "sync",
             client: MLBClient | None = None, progress: Any = None) -> RunReport:
    """One recorded MLB run over exactly one scope: ``dates`` (first, last; a single date is
    ``(d, d)``), ``season`` ("2024"), ``games`` (gamePks) or ``from_files`` (a folder)."""
    pks = [int(g) for g in games] if games else None
    folder = str(from_files) if from_files else None
    kind = _scope(dates, season, pks, folder)
    if dates is not None and dates[0] > dates[1]:
        raise ConfigError(f"--dates {dates[0]}..{dates[1]}: the first date is after the last")
    if folder is not None and not Path(folder).exists():
        raise ConfigError(f"--from-files {folder}: no such file or folder")
    client = client or MLBClient.from_settings(settings)
    arguments = {"dates": [d.isoformat() for d in dates] if dates else None, "season": season,
                 "games": pks, "from_files": folder, "full": full, "safety_days": safety_days}

    def units(store: Store) -> list:
        if kind == "dates":
            return plan_dates(client, store, dates[0], dates[1], full=full, as_of=as_of)
        if kind == "season":
            return plan_season(client, store, str(season), full=full, as_of=as_of, safety_days=safety_days)
        if kind == "games":
            return plan_games(client, pks, full=full)
        return list(file_units(folder))

    audits = audits_for(dates=_days(*dates) if dates else None, games=pks, season=str(season) if season else None)
    # From files: every game is in scope (which games the folder holds is known only after).
    try:
        with connect(settings.database) as store:
            return execute_run(
                store, source=SOURCE, command=command, arguments={k: v for k, v in arguments.items() if v is not None},
                units=lambda: units(store),
                unit_for_key=lambda key: unit_for_key(client, store, key, full=full, safety_days=safety_days),
                http_calls=lambda: client.requests_sent,
                api_check=None if folder else api_check(client),
                api_skipped_because="reading recorded files: no API call needed",
                audits=audits, settings=settings, progress=progress,
            )
    finally:
        client.close()


def backfill_mlb(settings: Any, seasons: Iterable[str], *, full: bool = False, as_of: date | None = None,
                 client: MLBClient | None = None, progress: Any = None) -> list[RunReport]:
    """``fieldhouse backfill mlb --seasons A..B``: one recorded run per season, oldest first."""
    client = client or MLBClient.from_settings(settings)
    reports = []
    try:
        for season in sorted(str(s) for s in seasons):
            reports.append(sync_mlb(settings, season=season, full=full, as_of=as_of, command="backfill",
                                    client=_Keep(client), progress=progress))
    finally:
        client.close()
    return reports


class _Keep:
    """A client whose close() does nothing (one session across the runs of a backfill)."""

    def __init__(self, client: MLBClient) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def close(self) -> None:
        pass


__all__ = ["backfill_mlb", "file_units", "sync_mlb"]
