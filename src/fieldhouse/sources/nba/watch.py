"""``fieldhouse watch nba [--date D]``: one day's games, polled on the stats scoreboard
(``scoreboardv2``, the endpoint ``sync nba`` reads for the days ahead) until every game
of the day is final on it; then the day's game logs (``leaguegamelog`` from that date, team
and player rows) are asked for until they hold every game, which turns the games final with
their box scores, exactly as ``sync nba`` lands them (docs/live.md).

The scoreboard gives no suggested wait: the loop's default interval applies.  The
recorded responses hold one real scoreboardv2 capture (2026-02-22, every game not yet
started) and no in-progress or final one, so the final step is exercised only against a
game log that does not hold the day yet (the game stays watched).
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from nba_api.stats.endpoints import leaguegamelog, scoreboardv2

from ...stores.counts import Counts
from ...stores.roles import Stores
from ..http.response import Response
from ..watching import Polled
from .client import NBAClient
from .schema import tables
from .seasons import SEASON_TYPES, season_from_id, season_type_from_game_id
from .units import SOURCE, _api_date, _ingest_all

FINAL_STATUS = 3


def _header(data: Any) -> list[dict[str, Any]]:
    for result in (data or {}).get("resultSets") or []:
        if result.get("name") == "GameHeader":
            return [dict(zip(result["headers"], row, strict=False)) for row in result.get("rowSet") or []]
    return []


@dataclass
class DayWatch:
    """The games of one day (a :class:`~fieldhouse.sources.watching.Watched`)."""

    client: NBAClient
    stores: Stores
    day: date
    kind: str = "watch"
    last: Polled | None = None
    games: dict[str, dict[str, Any]] = field(default_factory=dict)
    _seen: str | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        return f"{SOURCE}/watch/{self.day.isoformat()}"

    def all_final(self) -> bool:
        return all(g.get("GAME_STATUS_ID") == FINAL_STATUS for g in self.games.values())

    def fetch(self) -> tuple[str, list[Response]]:
        if self.games and self.all_final():
            return "game logs", self._game_logs()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            call = self.client.call(scoreboardv2.ScoreboardV2, game_date=self.day.isoformat(),
                                    league_id="00", day_offset=0)
        return "scoreboard", [call.response]

    def _game_logs(self) -> list[Response]:
        kinds = {(season_from_id(g.get("SEASON")) or "", season_type_from_game_id(g.get("GAME_ID")))
                 for g in self.games.values()}
        out = []
        for season, kind in sorted(k for k in kinds if k[1] in SEASON_TYPES):
            for mode in ("T", "P"):
                call = self.client.call(leaguegamelog.LeagueGameLog, season=season,
                                        season_type_all_star=SEASON_TYPES[kind], player_or_team_abbreviation=mode,
                                        league_id="00", date_from_nullable=_api_date(self.day))
                out.append(call.response)
        return out

    def write(self, store: Any, fetched: tuple[str, list[Response]]) -> Counts:
        how, responses = fetched
        counts = _ingest_all(self.stores, responses)
        if how == "scoreboard":
            rows = _header(responses[0].data)
            self.games = {r["GAME_ID"]: r for r in rows}
        seen = hashlib.sha256(json.dumps(sorted(self.games.items()), default=str).encode()).hexdigest()
        finals = self._final_in_store()
        done = bool(self.games) and self.all_final() and finals >= len(self.games) or not self.games
        live = sum(g.get("GAME_STATUS_ID") == 2 for g in self.games.values())
        self.last = Polled("final" if done else "in_progress" if live else "scheduled",
                           changed=seen != self._seen or how == "game logs" and done, done=done, how=how,
                           shown={"game": f"{len(self.games)} games", "score": f"{finals} final",
                                  "inning": f"{live} live"})
        self._seen = seen
        return counts

    def _final_in_store(self) -> int:
        games = tables()["nba.games"]
        if not self.games or not self.stores.data.table_exists(games):
            return 0
        rows = self.stores.data.rows(games, where={"game_id": ("in", list(self.games))}, columns=["status"])
        return sum(r["status"] == "final" for r in rows)


@dataclass
class NBAWatchPlan:
    client: NBAClient
    stores: Stores
    day: date
    _target: DayWatch | None = None

    @property
    def scope(self) -> str:
        return self.day.isoformat()

    def targets(self) -> list[DayWatch]:
        if self._target is None:
            self._target = DayWatch(self.client, self.stores, self.day)
        return [self._target]


__all__ = ["DayWatch", "NBAWatchPlan"]
