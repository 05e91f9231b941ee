"""``fieldhouse sync nba``: a season of NBA data, full or incremental, as isolated units.

Calls per season (league-wide endpoints, never one call per team): per season type one
``leaguegamelog`` in team mode and one in player mode; one ``commonallplayers`` for the
player list; and, for the season in progress, one ``scoreboardv2`` per day of the
schedule window for games not yet played.  A full season is a handful of calls.

Incremental: each season type has a watermark, the last date on which every game is
final, written in the same transaction as the rows it covers.  The next sync asks only for
games from the watermark minus a safety window (``DateFrom``), so late corrections are
picked up and nothing is fetched twice without need.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nba_api.stats.endpoints import commonallplayers, leaguegamelog, scoreboardv2, scoreboardv3

from ...mapping import load_records
from ...runs.watermarks import get_watermark, set_watermark
from ...stores import Store, UpsertResult
from ..http.response import Response
from ..replay import ingest
from . import handlers  # noqa: F401  (registers the NBA handlers)
from .client import NBAClient
from .schema import mapping, tables
from .seasons import SEASON_TYPES, current_season, season_dates
from .teams import all_teams

SOURCE = "nba"
# The version of the static team table (nba_api's data plus our divisions): bump it when
# DIVISIONS or FORMER_ABBREVIATIONS change, so the new values replace the old.
TEAMS_REVISION = datetime(2025, 7, 1, tzinfo=UTC)
DEFAULT_SAFETY_DAYS = 2


def _api_date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _ingest_all(store: Store, responses: list[Response]) -> dict[str, UpsertResult]:
    totals: dict[str, UpsertResult] = {}
    for response in responses:
        for name, result in ingest(store, response).results.items():
            totals.setdefault(name, UpsertResult(name))
            totals[name] += result
    return totals


@dataclass
class TeamsUnit:
    """The 30 teams (static data, no call)."""

    key: str = "nba/teams"
    kind: str = "dimension"

    def fetch(self) -> list[dict[str, Any]]:
        return all_teams()

    def write(self, store: Store, fetched: list[dict[str, Any]]) -> dict[str, UpsertResult]:
        return dict(load_records(store, mapping("teams"), fetched, TEAMS_REVISION).tables)


@dataclass
class PlayersUnit:
    """The all-time player list as of ``season`` (its ROSTERSTATUS says who is active)."""

    client: NBAClient
    season: str
    kind: str = "dimension"

    @property
    def key(self) -> str:
        return "nba/players"

    def fetch(self) -> list[Response]:
        call = self.client.call(commonallplayers.CommonAllPlayers, season=self.season,
                                is_only_current_season=0, league_id="00")
        return [call.response]

    def write(self, store: Store, fetched: list[Response]) -> dict[str, UpsertResult]:
        return _ingest_all(store, fetched)


@dataclass
class SeasonTypeUnit:
    """One season type of one season: its games, team and player box scores, watermark."""

    client: NBAClient
    store: Store  # read-only in fetch (the watermark)
    season: str
    season_type: str
    full: bool = False
    safety_days: int = DEFAULT_SAFETY_DAYS
    kind: str = "season_type"
    date_from: date | None = field(default=None, init=False)

    @property
    def key(self) -> str:
        return f"nba/{self.season}/{self.season_type}"

    @property
    def scope(self) -> str:
        return f"{self.season}/{self.season_type}"

    def fetch(self) -> list[Response]:
        watermark = None if self.full else get_watermark(self.store, SOURCE, self.scope)
        self.date_from = watermark - timedelta(days=self.safety_days) if watermark else None
        responses = []
        for mode in ("T", "P"):
            call = self.client.call(
                leaguegamelog.LeagueGameLog, season=self.season,
                season_type_all_star=SEASON_TYPES[self.season_type],
                player_or_team_abbreviation=mode, league_id="00",
                date_from_nullable=_api_date(self.date_from) if self.date_from else "",
            )
            responses.append(call.response)
        return responses

    def write(self, store: Store, fetched: list[Response]) -> dict[str, UpsertResult]:
        results = _ingest_all(store, fetched)
        set_watermark(store, SOURCE, self.scope, season_watermark(store, self.season, self.season_type))
        return results


@dataclass
class ScheduleUnit:
    """Games of one day from the scoreboard: those not yet final land as ``scheduled``."""

    client: NBAClient
    day: date
    kind: str = "date"

    @property
    def key(self) -> str:
        return f"nba/schedule/{self.day.isoformat()}"

    def fetch(self) -> list[Response]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # about line scores, unused here
            call = self.client.call(scoreboardv2.ScoreboardV2, game_date=self.day.isoformat(),
                                    league_id="00", day_offset=0)
        return [call.response]

    def write(self, store: Store, fetched: list[Response]) -> dict[str, UpsertResult]:
        return _ingest_all(store, fetched)


def season_watermark(store: Store, season: str, season_type: str) -> date | None:
    """The last date on which every known game of the season type is final."""
    games = tables()["nba.games"]
    rows = store.rows(games, where={"season": season, "season_type": season_type})
    if not rows:
        return None
    open_days = [r["game_date"] for r in rows if r["status"] != "final"]
    if open_days:
        return min(open_days) - timedelta(days=1)
    return max(r["game_date"] for r in rows)


def season_types_for(season: str, requested: list[str]) -> list[str]:
    """Play-in games exist from 2020-21 on; ``all`` leaves them out before that."""
    if len(requested) > 1 and int(season[:4]) < 2020:
        return [t for t in requested if t != "play_in"]
    return requested


def plan_units(client: NBAClient, store: Store, seasons: list[str], season_types: list[str], *,
               full: bool = False, as_of: date | None = None, schedule_days: int = 1,
               safety_days: int = DEFAULT_SAFETY_DAYS, players: bool = True) -> list:
    """The units of a sync, dimensions first: teams, players, then per season its season
    types, then (for the season in progress) the schedule days from ``as_of``."""
    as_of = as_of or datetime.now(UTC).date()
    units: list = [TeamsUnit()]
    if players:
        units.append(PlayersUnit(client, current_season(as_of)))
    for season in seasons:
        for season_type in season_types_for(season, season_types):
            units.append(SeasonTypeUnit(client, store, season, season_type, full=full, safety_days=safety_days))
        first, last = season_dates(season)
        if first <= as_of <= last:
            units.extend(ScheduleUnit(client, as_of + timedelta(days=n)) for n in range(schedule_days))
    return units


# The smallest answer the stats API gives: the scoreboard of a day in the off-season.
API_CHECK_DAY = "2025-07-15"


def api_check(client: NBAClient):
    """The pre-flight's tiny request to the NBA stats host (one call, counted like any)."""

    def check() -> str:
        call = client.call(scoreboardv3.ScoreboardV3, game_date=API_CHECK_DAY, league_id="00")
        return f"{client.base_url} answers ({len(call.response.body)} bytes)"

    return check


def unit_for_key(client: NBAClient, store: Store, key: str, *, as_of: date | None = None,
                 full: bool = False, safety_days: int = DEFAULT_SAFETY_DAYS):
    """Rebuild a unit from its key (for retrying a dead letter); None if the key is not one."""
    from .seasons import SEASON_TYPES as TYPES
    from .seasons import parse_season

    parts = key.split("/")
    if parts[0] != SOURCE or len(parts) < 2:
        return None
    if parts[1:] == ["teams"]:
        return TeamsUnit()
    if parts[1:] == ["players"]:
        return PlayersUnit(client, current_season(as_of or datetime.now(UTC).date()))
    if len(parts) == 3 and parts[1] == "schedule":
        return ScheduleUnit(client, date.fromisoformat(parts[2]))
    if len(parts) == 3 and parts[2] in TYPES:
        return SeasonTypeUnit(client, store, parse_season(parts[1]), parts[2], full=full, safety_days=safety_days)
    return None


def check_archive(archive: str) -> None:
    from pathlib import Path

    from ...errors import ArchiveError

    if not Path(archive).is_dir():
        raise ArchiveError(f"archive folder {archive!r} does not exist: give the folder "
                           "`fieldhouse archive export` wrote, or leave out --archive")


def archive_as_of(archive: str) -> date | None:
    """Offline, "today" is the day of the archive's newest NBA capture."""
    from ..archive import read_index

    check_archive(archive)
    stamps = [e.captured_at for e in read_index(archive) if e.source == SOURCE]
    return max(stamps).date() if stamps else None


def make_client(settings: Any, archive: str | None = None) -> NBAClient:
    if archive:
        check_archive(archive)
    return NBAClient.from_settings(settings, archive=archive)
