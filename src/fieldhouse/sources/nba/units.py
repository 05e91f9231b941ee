"""The units of an NBA run: a season of NBA data, full or incremental, as isolated units.

Calls per season (league-wide endpoints, never one call per team): per season type one
``leaguegamelog`` in team mode and one in player mode; one ``commonallplayers`` for the
player list; and, for the season in progress, one ``scoreboardv2`` per day of the
schedule window for games not yet played.  A full season is a handful of calls.

Incremental: each season type has a watermark, the last date on which every game is
final, recorded with the rows it covers (the unit returns it; the run records it).  The next sync asks only for
games from the watermark minus a safety window (``DateFrom``), so late corrections are
picked up and nothing is fetched twice without need.
"""

from __future__ import annotations

import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nba_api.stats.endpoints import commonallplayers, leaguegamelog, scoreboardv2, scoreboardv3

from ...mapping import load_records
from ...stores import Store
from ...stores.counts import Counts
from ...stores.roles import Stores
from ..http.response import Response
from ..replay import ingest
from ..units import UnitResult
from ..watermarks import get_watermark
from .client import NBAClient
from .options import DEFAULT_SAFETY_DAYS
from .schema import mapping, tables
from .seasons import SEASON_TYPES, current_season, parse_season, season_dates
from .teams import all_teams

SOURCE = "nba"
# The version of the static team table (nba_api's data plus our divisions): bump it when
# DIVISIONS or FORMER_ABBREVIATIONS change, so the new values replace the old.
TEAMS_REVISION = datetime(2025, 7, 1, tzinfo=UTC)


def _api_date(day: date) -> str:
    return day.strftime("%m/%d/%Y")


def _ingest_all(stores: Stores, responses: list[Response]) -> Counts:
    """Land each response in the control store's raw zone and write its rows (by the NBA
    handlers, see :mod:`.handlers`) to the data store."""
    counts = Counts()
    for response in responses:
        counts.add(ingest(stores.data, response, control=stores.control).results)
    return counts


@dataclass
class TeamsUnit:
    """The 30 teams (static data, no call)."""

    key: str = "nba/teams"
    kind: str = "dimension"

    def fetch(self) -> list[dict[str, Any]]:
        return all_teams()

    def write(self, store: Store, fetched: list[dict[str, Any]]) -> Counts:
        return Counts.of(load_records(store, mapping("teams"), fetched, TEAMS_REVISION).tables)


@dataclass
class PlayersUnit:
    """The all-time player list as of ``season`` (its ROSTERSTATUS says who is active)."""

    client: NBAClient
    stores: Stores
    season: str
    kind: str = "dimension"

    @property
    def key(self) -> str:
        return "nba/players"

    def fetch(self) -> list[Response]:
        call = self.client.call(commonallplayers.CommonAllPlayers, season=self.season,
                                is_only_current_season=0, league_id="00")
        return [call.response]

    def write(self, store: Store, fetched: list[Response]) -> Counts:
        return _ingest_all(self.stores, fetched)


@dataclass
class SeasonTypeUnit:
    """One season type of one season: its games, team and player box scores, watermark."""

    client: NBAClient
    stores: Stores  # the watermark is read from the control store while fetching
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
        watermark = None if self.full else get_watermark(self.stores.control, SOURCE, self.scope)
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

    def write(self, store: Store, fetched: list[Response]) -> UnitResult:
        results = _ingest_all(self.stores, fetched)
        return UnitResult(results, {self.scope: season_watermark(store, self.season, self.season_type)})


@dataclass
class ScheduleUnit:
    """Games of one day from the scoreboard: those not yet final land as ``scheduled``."""

    client: NBAClient
    stores: Stores
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

    def write(self, store: Store, fetched: list[Response]) -> Counts:
        return _ingest_all(self.stores, fetched)


def season_watermark(store: Store, season: str, season_type: str) -> date | None:
    """The last date on which every known game of the season type is final."""
    games = tables()["nba.games"]
    rows = store.rows(games, where={"season": season, "season_type": season_type},
                     columns=["game_date", "status"])
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


def plan_units(client: NBAClient, stores: Stores, seasons: list[str], season_types: list[str], *,
               full: bool = False, as_of: date | None = None, schedule_days: int = 1,
               safety_days: int = DEFAULT_SAFETY_DAYS, players: bool = True) -> list:
    """The units of a sync, dimensions first: teams, players, then per season its season
    types, then (for the season in progress) the schedule days from ``as_of``."""
    as_of = as_of or datetime.now(UTC).date()
    units: list = [TeamsUnit()]
    if players:
        units.append(PlayersUnit(client, stores, current_season(as_of)))
    for season in seasons:
        for season_type in season_types_for(season, season_types):
            units.append(SeasonTypeUnit(client, stores, season, season_type, full=full, safety_days=safety_days))
        first, last = season_dates(season)
        if first <= as_of <= last:
            units.extend(ScheduleUnit(client, stores, as_of + timedelta(days=n)) for n in range(schedule_days))
    return units


def unit_for_key(client: NBAClient, stores: Stores, key: str, *, as_of: date | None = None,
                 full: bool = False, safety_days: int = DEFAULT_SAFETY_DAYS):
    """Rebuild a unit from its key (for retrying a dead letter); None if the key is not one."""
    parts = key.split("/")
    if parts[0] != SOURCE or len(parts) < 2:
        return None
    if parts[1:] == ["teams"]:
        return TeamsUnit()
    if parts[1:] == ["players"]:
        return PlayersUnit(client, stores, current_season(as_of or datetime.now(UTC).date()))
    if len(parts) == 3 and parts[1] == "schedule":
        return ScheduleUnit(client, stores, date.fromisoformat(parts[2]))
    if len(parts) == 3 and parts[2] in SEASON_TYPES:
        return SeasonTypeUnit(client, stores, parse_season(parts[1]), parts[2], full=full, safety_days=safety_days)
    return None


# The smallest answer the stats API gives: the scoreboard of a day in the off-season.
API_CHECK_DAY = "2025-07-15"


def api_check(client: NBAClient) -> str:
    """The pre-flight's tiny request to the NBA stats host (one call, counted like any); a
    refused connection fails it at once (no retries: the host is not there)."""
    fast = getattr(client.fetcher, "policy_changed", None)
    with fast(retry_refused=False) if fast else nullcontext():
        call = client.call(scoreboardv3.ScoreboardV3, game_date=API_CHECK_DAY, league_id="00")
    return f"{client.base_url} answers ({len(call.response.body)} bytes)"


def archive_as_of(archive: str) -> date | None:
    """Offline, "today" is the day of the archive's newest NBA capture."""
    from ..archive import read_index

    stamps = [e.captured_at for e in read_index(archive) if e.source == SOURCE]
    return max(stamps).date() if stamps else None
