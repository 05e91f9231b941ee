"""NBA seasons and season types: how users write them, how the API wants them, and how the
data encodes them (``SEASON_ID`` "42018", game ids "0041800141")."""

from __future__ import annotations

import re
from datetime import date

from ...errors import ConfigError

_SEASON = re.compile(r"^(\d{4})-(\d{2})$")

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
