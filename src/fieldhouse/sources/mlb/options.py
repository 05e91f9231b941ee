"""The options of ``fieldhouse sync mlb``, ``backfill mlb``, ``deadletters retry`` and
``audit --source mlb`` (the same names in the Python API)::

    fieldhouse.sync("mlb", settings, date="2024-07-01")
    fieldhouse.sync("mlb", settings, dates="2024-07-01..2024-07-07")
    fieldhouse.sync("mlb", settings, season="2024")
    fieldhouse.sync("mlb", settings, games="717209,746139")     # or games=[717209, 746139]
    fieldhouse.sync("mlb", settings, from_files="saved_feeds/") # no network, no pre-flight
    fieldhouse.backfill("mlb", settings, seasons="2021..2024")

A sync takes exactly one scope: ``--date``/``--dates``, ``--season``, ``--games`` or
``--from-files``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from ...errors import ConfigError
from ..protocol import SourceOptions

DEFAULT_SAFETY_DAYS = 3
SCOPES = ("date", "dates", "season", "games", "from_files")


def _day(value: Any, option: str) -> Any:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ConfigError(f"{option} {value!r} is not a date: write it as YYYY-MM-DD") from None
    return value


def _season(value: Any, option: str) -> str:
    text = str(value).strip()
    if not (len(text) == 4 and text.isdigit()):
        raise ConfigError(f"{option} {value!r} is not a season: write the year, e.g. 2024")
    return text


def parse_seasons(value: Any) -> list[str]:
    """``2021..2024``, ``2021,2023`` or a list, as seasons in order (each once)."""
    if isinstance(value, str):
        first, dots, last = value.partition("..")
        if dots:
            a, b = int(_season(first, "--seasons")), int(_season(last, "--seasons"))
            if a > b:
                raise ConfigError(f"--seasons {value!r}: the first season is after the last")
            return [str(y) for y in range(a, b + 1)]
        value = [v for v in value.split(",") if v.strip()]
    return sorted(dict.fromkeys(_season(v, "--seasons") for v in value))


class MLBRetryOptions(SourceOptions):
    """What a run of just the open dead letters needs (``deadletters retry``)."""

    full: bool = Field(False, description="Fetch final games again and ignore the watermark.")
    as_of: dt.date | None = Field(None, description=(
        "Treat this date (YYYY-MM-DD) as today: games not started on a later date are not fetched. "
        "Default: today (UTC)."), json_schema_extra={"metavar": "DATE"})
    safety_days: int = Field(DEFAULT_SAFETY_DAYS, ge=0, description="Re-read this many days before the watermark.",
                             json_schema_extra={"metavar": "N"})

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, value: Any) -> Any:
        return _day(value, "--as-of")

    def arguments(self) -> dict[str, Any]:
        return {"full": self.full, "safety_days": self.safety_days,
                **({"as_of": self.as_of.isoformat()} if self.as_of else {})}


class _Scope(SourceOptions):
    """Which games: a date, a range of dates, a season or game ids."""

    date: dt.date | None = Field(None, description="One date, YYYY-MM-DD.", json_schema_extra={"metavar": "DATE"})
    dates: tuple[dt.date, dt.date] | None = Field(None, description="A range of dates, e.g. 2024-07-01..2024-07-07.",
                                                  json_schema_extra={"metavar": "A..B"})
    season: str | None = Field(None, description="A season, e.g. 2024.", json_schema_extra={"metavar": "YYYY"})
    games: list[int] | None = Field(None, description="Game ids (gamePk), e.g. 717209,746139.",
                                    json_schema_extra={"metavar": "PK,PK"})

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> Any:
        return _day(value, "--date")

    @field_validator("dates", mode="before")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        if isinstance(value, str):
            first, dots, last = value.partition("..")
            if not dots:
                raise ConfigError(f"--dates {value!r}: write a range as YYYY-MM-DD..YYYY-MM-DD")
            value = (first, last)
        if value is not None:
            first, last = (_day(v, "--dates") for v in value)
            if first > last:
                raise ConfigError(f"--dates {first}..{last}: the first date is after the last")
            return (first, last)
        return value

    @field_validator("season", mode="before")
    @classmethod
    def _one_season(cls, value: Any) -> Any:
        return None if value is None else _season(value, "--season")

    @field_validator("games", mode="before")
    @classmethod
    def _games(cls, value: Any) -> Any:
        if isinstance(value, str | int):
            value = [v for v in str(value).split(",") if v.strip()]
        if value is None:
            return None
        try:
            return list(dict.fromkeys(int(str(v).strip()) for v in value))
        except ValueError:
            raise ConfigError(f"--games {value!r}: game ids are whole numbers, e.g. 717209,746139") from None

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        return (self.date, self.date) if self.date else self.dates

    def scope_arguments(self) -> dict[str, Any]:
        span = self.date_range()
        out = {"dates": [d.isoformat() for d in span] if span else None, "season": self.season, "games": self.games}
        return {k: v for k, v in out.items() if v is not None}


class MLBSyncOptions(_Scope, MLBRetryOptions):
    """``fieldhouse sync mlb --date D | --dates A..B | --season S | --games PK,PK | --from-files DIR``
    (a season: from its watermark on)."""

    from_files: str | None = Field(None, description=(
        "Read a folder of recorded feed/schedule responses (plain JSON, gzipped or envelopes) instead "
        "of the network."), json_schema_extra={"metavar": "DIR"})

    @field_validator("from_files", mode="before")
    @classmethod
    def _folder(cls, value: Any) -> Any:
        if value is not None and not Path(value).exists():
            raise ConfigError(f"--from-files {value}: no such file or folder")
        return None if value is None else str(value)

    @model_validator(mode="after")
    def _one_scope(self) -> MLBSyncOptions:
        given = [name for name in SCOPES if getattr(self, name) not in (None, [])]
        if len(given) != 1:
            raise ConfigError("give exactly one of --date, --dates, --season, --games or --from-files"
                              f" (got {', '.join('--' + g.replace('_', '-') for g in given) or 'none'})")
        return self

    @property
    def offline(self) -> bool:
        return self.from_files is not None

    def arguments(self) -> dict[str, Any]:
        files = {"from_files": self.from_files} if self.from_files else {}
        return {**self.scope_arguments(), **files, **MLBRetryOptions.arguments(self)}


class MLBBackfillOptions(MLBRetryOptions):
    """``fieldhouse backfill mlb --seasons 2021..2024``: each season's teams, schedule and games."""

    seasons: list[str] = Field(description="A range such as 2021..2024, or a comma list.",
                               json_schema_extra={"metavar": "RANGE"})

    @field_validator("seasons", mode="before")
    @classmethod
    def _seasons(cls, value: Any) -> list[str]:
        return parse_seasons(value)

    def arguments(self) -> dict[str, Any]:
        return {"seasons": self.seasons, **super().arguments()}


class MLBAuditOptions(_Scope):
    """``fieldhouse audit --source mlb [--season S | --date D | --dates A..B | --games PK,PK]``
    (default: every stored game)."""

    def arguments(self) -> dict[str, Any]:
        return self.scope_arguments()


class MLBWatchOptions(SourceOptions):
    """``fieldhouse watch mlb [--date D] [--games PK,PK]``: the games of one day (default:
    today, UTC) that are not final, or just the games given (see docs/live.md)."""

    date: dt.date | None = Field(None, description="The day to watch, YYYY-MM-DD (default: today, UTC).",
                                 json_schema_extra={"metavar": "DATE"})
    games: list[int] | None = Field(None, description="Only these games (gamePk), e.g. 717209,746139.",
                                    json_schema_extra={"metavar": "PK,PK"})

    _date = field_validator("date", mode="before")(classmethod(lambda cls, v: _day(v, "--date")))
    _games = field_validator("games", mode="before")(_Scope._games.__func__)  # type: ignore[attr-defined]

    def day(self) -> dt.date:
        return self.date or dt.datetime.now(dt.UTC).date()

    def arguments(self) -> dict[str, Any]:
        return {"date": self.day().isoformat(), **({"games": self.games} if self.games else {})}
