"""The units of an MLB run (see :mod:`fieldhouse.sources.units`): each fetches first (network
only) and then writes through the handlers of :mod:`.handlers` (database only): responses
land in the control store's raw zone, rows go to the data store.

============================  ==========  ==============================================
key                           kind        what
============================  ==========  ==============================================
``mlb/schedule/A..B``         dates       one schedule call for dates A..B
``mlb/schedule/S``            dates       the same for season S (its dates from the
                                          watermark on), moving the season's watermark
``mlb/game/PK``               game        one feed call; skipped when the stored game is
                                          already final (or cancelled) unless ``full``
``mlb/teams/S``               dimension   one teams call for season S
``mlb/file/PATH``             file        one recorded response read from PATH
============================  ==========  ==============================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ...errors import BadResponseError
from ...stores import Store, UpsertResult
from ...stores.counts import Counts
from ...stores.roles import Stores
from ..http.response import Response, canonical_params
from ..replay import ingest
from ..units import UnitResult
from . import files
from .client import MLBClient
from .schema import tables

SOURCE = "mlb"
#: Game states after which nothing about the game changes on that date.
TERMINAL = frozenset({"final", "cancelled", "postponed"})
#: States of a stored game whose feed is not fetched again (a postponed game is played later).
DONE = frozenset({"final", "cancelled"})
#: The endpoint name (as the client names it) of each kind of recorded file.
FILE_ENDPOINTS = {"feed": "feed/live", "diff_patch": "feed/live/diffPatch", "play_by_play": "playByPlay"}


def write_response(stores: Stores, response: Response) -> dict[str, UpsertResult]:
    """Land ``response`` in the control store and map it with its handler into the data
    store (one transaction when the two can share one)."""
    return dict(ingest(stores.data, response, control=stores.control).results)


def stored_status(store: Store, game_pk: int) -> str | None:
    games = tables()["mlb.games"]
    if not store.table_exists(games):
        return None
    rows = store.rows(games, where={"game_pk": int(game_pk)})
    return rows[0]["status"] if rows else None


def _range_key(start: date, end: date) -> str:
    return f"{start.isoformat()}..{end.isoformat()}"


def parse_range(text: str) -> tuple[date, date]:
    first, _, last = text.partition("..")
    return date.fromisoformat(first), date.fromisoformat(last or first)


@dataclass
class ScheduleUnit:
    """The schedule of ``start``..``end`` in one call.  With ``season`` set (a ``--season``
    sync), the key is the season's (``mlb/schedule/2024``: the range moves with the
    watermark, a dead letter is retried over the range of the run retrying it) and writing
    also moves the season's watermark (see :func:`.plan.season_watermark`), which the run
    records with the rows."""

    client: MLBClient
    stores: Stores
    start: date
    end: date
    season: str | None = None
    kind: str = "dates"
    _response: Response | None = field(default=None, init=False, repr=False)
    _error: BaseException | None = field(default=None, init=False, repr=False)

    @property
    def key(self) -> str:
        return f"{SOURCE}/schedule/{self.season or _range_key(self.start, self.end)}"

    def prefetch(self) -> Response | None:
        """Fetch once (at planning, to know the games); a failure is kept for :meth:`fetch`."""
        if self._response is None and self._error is None:
            try:
                self._response = self.client.schedule(self.start, self.end)
            except Exception as exc:  # raised again by fetch(), inside the unit's isolation
                self._error = exc
        return self._response

    def fetch(self) -> Response:
        self.prefetch()
        if self._error is not None:
            raise self._error
        assert self._response is not None
        return self._response

    def write(self, store: Store, fetched: Response) -> UnitResult:
        from .plan import season_watermark

        results = write_response(self.stores, fetched)
        if self.season is None:
            return UnitResult(results)
        return UnitResult(results, {self.season: season_watermark(store, self.season)})


def _ids(items: Any, *path: str) -> set[int]:
    found = set()
    for item in items or []:
        for key in path:
            item = item.get(key) if isinstance(item, dict) else None
        if isinstance(item, int) and not isinstance(item, bool):
            found.add(item)
    return found


def missing_players(data: Any) -> list[int]:
    """Players a feed refers to (box score, batters, pitchers, runners, fielding credits)
    that its gameData.players does not describe: they are asked from /people."""
    live = data.get("liveData") or {}
    referenced: set[int] = set()
    for team in ((live.get("boxscore") or {}).get("teams") or {}).values():
        referenced |= _ids((team.get("players") or {}).values(), "person", "id")
    for play in (live.get("plays") or {}).get("allPlays") or []:
        referenced |= _ids([play], "matchup", "batter", "id") | _ids([play], "matchup", "pitcher", "id")
        for runner in play.get("runners") or []:
            referenced |= _ids([runner], "details", "runner", "id") | _ids(runner.get("credits"), "player", "id")
    known = _ids(((data.get("gameData") or {}).get("players") or {}).values(), "id")
    return sorted(referenced - known)


@dataclass
class GameUnit:
    """One game's live feed (and, only if the feed refers to players it does not describe,
    one /people call for them)."""

    client: MLBClient
    stores: Stores
    game_pk: int
    full: bool = False
    kind: str = "game"

    @property
    def key(self) -> str:
        return f"{SOURCE}/game/{self.game_pk}"

    def done(self, control: Store) -> bool:
        return not self.full and stored_status(self.stores.data, self.game_pk) in DONE

    def fetch(self) -> list[Response]:
        feed = self.client.feed(self.game_pk)
        missing = missing_players(feed.data)
        return [feed, self.client.people(missing)] if missing else [feed]

    def write(self, store: Store, fetched: list[Response]) -> Counts:
        return Counts.of(*(write_response(self.stores, response) for response in fetched))


@dataclass
class TeamsUnit:
    """The teams of one season."""

    client: MLBClient
    stores: Stores
    season: str
    kind: str = "dimension"

    @property
    def key(self) -> str:
        return f"{SOURCE}/teams/{self.season}"

    def fetch(self) -> Response:
        return self.client.teams(self.season)

    def write(self, store: Store, fetched: Response) -> dict[str, UpsertResult]:
        return write_response(self.stores, fetched)


def recorded_response(recorded: files.Recorded) -> Response:
    """A recorded file as a Response captured at its own time (a feed: metaData.timeStamp)."""
    body = json.dumps(recorded.data, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(source=SOURCE, endpoint=FILE_ENDPOINTS.get(recorded.kind, recorded.kind),
                    params=canonical_params(recorded.params), body=body, data=recorded.data,
                    captured_at=recorded.captured_at, url=str(recorded.path), from_archive=True)


@dataclass
class FileUnit:
    """One file of a folder of recorded responses; an unusable file fails with its reason
    (so it is reported, and nothing of it is stored)."""

    stores: Stores
    path: Path
    kind: str = "file"

    @property
    def key(self) -> str:
        return f"{SOURCE}/file/{self.path}"

    def fetch(self) -> Response:
        found = files.read_file(self.path)
        if isinstance(found, files.Unusable):
            raise BadResponseError(f"{found.path}: {found.reason}", endpoint="file")
        return recorded_response(found)

    def write(self, store: Store, fetched: Response) -> dict[str, UpsertResult]:
        return write_response(self.stores, fetched)


def listed_games(data: Any) -> list[dict[str, Any]]:
    """The games of a schedule body, each with the date it is listed under."""
    return [{**game, "_date": day["date"]} for day in data.get("dates") or [] for game in day.get("games") or []]


__all__ = ["FileUnit", "GameUnit", "ScheduleUnit", "TeamsUnit", "parse_range"]
