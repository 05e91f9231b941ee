"""NBA seasons and season types: how users write them, how the API wants them, and how the
data encodes them (``SEASON_ID`` "42018", game ids "0041800141")."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from ...errors import ConfigError

_SEASON = re.compile(r"^(\d{4})-(\d{2})$")

# The BAA's first season, which the NBA counts as its own: no data is older.
FIRST_SEASON = "1946-47"

# Our name -> the API's SeasonType parameter.
SEASON_TYPES = {"regular": "Regular Season", "playoffs": "Playoffs", "play_in": "PlayIn"}
# The digit in SEASON_ID / the third digit of a game id -> our name.
_TYPE_BY_DIGIT = {"1": "preseason", "2": "regular", "3": "all_star", "4": "playoffs", "5": "play_in", "6": "cup_final"}


def parse_season(text: str) -> str:
    """Check a season written as ``2018-19``; raise ConfigError saying how to write it."""
    text = str(text).strip()
    m = _SEASON.match(text)
    if not m or (int(m[1]) + 1) % 100 != int(m[2]):
        hint = ""
        if re.fullmatch(r"\d{4}", text):
            start = int(text)
            hint = f" (did you mean {start}-{(start + 1) % 100:02d}?)"
        raise ConfigError(f"season {text!r} is not a season: write it as 2018-19{hint}")
    return text


def parse_season_range(text: str) -> list[str]:
    """``2019-20..2024-25`` (or one season, or a comma list) as a list of seasons."""
    text = text.strip()
    if ".." in text:
        first, last = (parse_season(part) for part in text.split("..", 1))
        start, end = int(first[:4]), int(last[:4])
        if end < start:
            raise ConfigError(f"season range {text!r} runs backwards: write the earlier season first")
        return [season_of_start_year(y) for y in range(start, end + 1)]
    return [parse_season(part) for part in text.split(",") if part.strip()]


def parse_season_types(text: str) -> list[str]:
    """``regular``, ``playoffs``, ``play_in`` or ``all`` (regular, play-in and playoffs)."""
    text = text.strip().lower().replace("-", "_")
    if text == "all":
        return ["regular", "play_in", "playoffs"]
    if text not in SEASON_TYPES:
        raise ConfigError(f"season type {text!r} is unknown: use regular, playoffs, play_in or all")
    return [text]


def season_of_start_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


def season_from_id(season_id: str | int | None) -> str | None:
    """``"42018"`` / ``"22018"`` / ``"2018"`` -> ``"2018-19"``."""
    if season_id is None:
        return None
    text = str(season_id).strip()
    if not text[-4:].isdigit():
        return None
    return season_of_start_year(int(text[-4:]))


def season_type_from_game_id(game_id: str | None) -> str | None:
    """The season type a game id encodes: ``0041800141`` -> ``playoffs``."""
    if not game_id or len(str(game_id)) < 3:
        return None
    return _TYPE_BY_DIGIT.get(str(game_id)[2])


def season_dates(season: str) -> tuple[date, date]:
    """A generous window around a season: 1 September to 31 July."""
    start = int(season[:4])
    return date(start, 9, 1), date(start + 1, 7, 31)


def current_season(today: date) -> str:
    return season_of_start_year(today.year if today.month >= 9 else today.year - 1)


def check_arguments(seasons: list[str], *, as_of: date | None, safety_days: int,
                    newest_capture: date | None = None, today: date | None = None) -> None:
    """Refuse, with one ConfigError, arguments no sync can honour (so no unit is planned
    and nothing is recorded): a season before :data:`FIRST_SEASON` or after next season,
    a negative ``safety_days``, an ``as_of`` before the league's first season or after the
    data's end (``newest_capture``, the archive's newest capture offline; else today)."""
    today = today or datetime.now(UTC).date()
    latest = season_of_start_year(int(current_season(today)[:4]) + 1)
    for season in seasons:
        if int(season[:4]) < int(FIRST_SEASON[:4]):
            raise ConfigError(f"season {season!r} is before the NBA's first season, {FIRST_SEASON}: "
                              f"give a season from {FIRST_SEASON} to {latest}")
        if int(season[:4]) > int(latest[:4]):
            raise ConfigError(f"season {season!r} is too far ahead: the latest season with a schedule is "
                              f"{latest} (next season); give a season from {FIRST_SEASON} to {latest}")
    if safety_days < 0:
        raise ConfigError(f"--safety-days {safety_days} is negative: give 0 or more days")
    if as_of is not None:
        first = season_dates(FIRST_SEASON)[0]
        last, what = (newest_capture, "the archive's newest capture") if newest_capture else (
            today + timedelta(days=1), "today")
        if not first <= as_of <= last:
            raise ConfigError(f"--as-of {as_of.isoformat()} is outside the data: give a date from "
                              f"{first.isoformat()} ({FIRST_SEASON} began) to {last.isoformat()} ({what})")
