"""Which units an MLB run is made of, and the season watermark.

* ``--date D`` / ``--dates A..B``: one schedule unit for the range (one call), then one game
  unit per game it lists (each gamePk once, even when a postponed game is listed twice).
* ``--season S``: the season's teams, then the schedule from the watermark minus a safety
  window (or from the season's first date) to its last date, then its games.  The season's
  dates come from a recorded ``seasons`` response (``/api/v1/seasons/S``, e.g. landed by
  ``--from-files``) when there is one, else :data:`DEFAULT_WINDOW` (15 Feb .. 30 Nov).
* ``--games PK,PK``: one game unit each.
* ``--from-files DIR``: one file unit per file (recursively, in name order).

Games the schedule lists as not started on a date after ``as_of`` (today) are not fetched.
Game units skip a game whose stored feed is already final (unless ``full``).

Watermark (per season): the last date on which every game the stored schedule lists is in
a terminal state (Final, Cancelled, Postponed); written by the season's schedule unit in the
same transaction as the schedule rows.  Only ``--season`` syncs read and move it: a
``--dates`` sync fetches exactly the dates asked for.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from ...stores import Store
from ...stores.roles import Stores
from ..raw import raw_responses
from ..watermarks import get_watermark
from . import files
from .client import MLBClient
from .schema import tables
from .units import (
    SOURCE,
    TERMINAL,
    FileUnit,
    GameUnit,
    ScheduleUnit,
    TeamsUnit,
    listed_games,
    parse_range,
)

DEFAULT_SAFETY_DAYS = 3
#: (month, day) of the first and last date of a season when no seasons response is recorded:
#: spring training starts in the second half of February, the World Series ends by November.
DEFAULT_WINDOW = ((2, 15), (11, 30))


def season_window(control: Store, season: str) -> tuple[date, date]:
    """The first and last date of ``season`` (see the module docstring), from the raw zone
    of the control store."""
    for raw in raw_responses(control, source=SOURCE, endpoint="seasons"):
        for entry in (raw.data or {}).get("seasons") or []:
            if str(entry.get("seasonId")) == str(season):
                first = entry.get("springStartDate") or entry.get("seasonStartDate")
                last = entry.get("postSeasonEndDate") or entry.get("seasonEndDate")
                if first and last:
                    return date.fromisoformat(first), date.fromisoformat(last)
    year = int(season)
    (m1, d1), (m2, d2) = DEFAULT_WINDOW
    return date(year, m1, d1), date(year, m2, d2)


def season_watermark(store: Store, season: str) -> date | None:
    """The last date of ``season`` on which every listed game is terminal (None: no
    listing yet, or the first listed date is open)."""
    schedule = tables()["mlb.schedule"]
    rows = store.rows(schedule, where={"season": str(season)})
    if not rows:
        return None
    open_days = [r["schedule_date"] for r in rows if r["status"] not in TERMINAL]
    if open_days:
        first_open = min(open_days)
        closed = [r["schedule_date"] for r in rows if r["schedule_date"] < first_open]
        return max(closed) if closed else None
    return max(r["schedule_date"] for r in rows)


def game_units(client: MLBClient, schedule: ScheduleUnit, stores: Stores, *, full: bool,
               as_of: date) -> list[GameUnit]:
    """A game unit per game the schedule lists (from the response, or the stored schedule
    when the call failed), each gamePk once."""
    response = schedule.prefetch()
    if response is not None:
        games = [(g["gamePk"], date.fromisoformat(g["_date"]), g.get("status", {}).get("abstractGameState"))
                 for g in listed_games(response.data)]
    else:
        games = _stored_listing(stores.data, schedule.start, schedule.end)
    seen: dict[int, GameUnit] = {}
    for pk, day, state in games:
        if state == "Preview" and day > as_of:
            continue
        seen.setdefault(int(pk), GameUnit(client, stores, int(pk), full=full))
    return list(seen.values())


def _stored_listing(store: Store, start: date, end: date) -> list[tuple[int, date, str | None]]:
    schedule = tables()["mlb.schedule"]
    if not store.table_exists(schedule):
        return []
    rows = store.rows(schedule)
    return [(r["game_pk"], r["schedule_date"], r["abstract_state"]) for r in rows
            if start <= r["schedule_date"] <= end]


def plan_dates(client: MLBClient, stores: Stores, start: date, end: date, *, full: bool = False,
               as_of: date | None = None, season: str | None = None) -> list:
    schedule = ScheduleUnit(client, stores, start, end, season=season)
    return [schedule, *game_units(client, schedule, stores, full=full, as_of=as_of or datetime.now(UTC).date())]


def season_range(stores: Stores, season: str, *, full: bool = False,
                 safety_days: int = DEFAULT_SAFETY_DAYS) -> tuple[date, date]:
    """The dates a ``--season`` sync asks for: from the watermark minus the safety window
    (or the season's first date) to its last date."""
    first, last = season_window(stores.control, season)
    watermark = None if full else get_watermark(stores.control, SOURCE, str(season))
    start = max(first, watermark - timedelta(days=safety_days)) if watermark else first
    return min(start, last), last


def plan_season(client: MLBClient, stores: Stores, season: str, *, full: bool = False,
                as_of: date | None = None, safety_days: int = DEFAULT_SAFETY_DAYS) -> list:
    start, last = season_range(stores, season, full=full, safety_days=safety_days)
    return [TeamsUnit(client, stores, str(season)),
            *plan_dates(client, stores, start, last, full=full, as_of=as_of, season=str(season))]


def plan_games(client: MLBClient, stores: Stores, game_pks: Iterable[int], *, full: bool = False) -> list:
    return [GameUnit(client, stores, int(pk), full=full) for pk in dict.fromkeys(int(p) for p in game_pks)]


def file_units(stores: Stores, folder: str | Path) -> list[FileUnit]:
    """One unit per file under ``folder`` (recursively, in name order); read in the unit."""
    root = Path(folder)
    if root.is_file():
        return [FileUnit(stores, root)]
    return [FileUnit(stores, path) for path in files.paths(root)]


def unit_for_key(client: MLBClient, stores: Stores, key: str, *, full: bool = False,
                 safety_days: int = DEFAULT_SAFETY_DAYS) -> Any:
    """Rebuild a unit from its key (to retry a dead letter); None if it is not an MLB key."""
    source, _, rest = key.partition("/")
    kind, _, arg = rest.partition("/")
    if source != SOURCE or not arg:
        return None
    if kind == "game" and arg.isdigit():
        return GameUnit(client, stores, int(arg), full=full)
    if kind == "teams":
        return TeamsUnit(client, stores, arg)
    if kind == "schedule" and arg.isdigit():
        start, end = season_range(stores, arg, full=full, safety_days=safety_days)
        return ScheduleUnit(client, stores, start, end, season=arg)
    if kind == "schedule":
        start, end = parse_range(arg)
        return ScheduleUnit(client, stores, start, end)
    # A file's dead letter is retried only by a --from-files run that reads that file again
    # (its unit has the same key); other runs leave it open.
    return None
