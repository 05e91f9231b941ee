"""The options of ``fieldhouse sync nba``, ``backfill nba``, ``deadletters retry`` and
``audit --source nba`` (the same names in the Python API: ``fieldhouse.sync("nba",
settings, season="2018-19", season_type="playoffs")``)."""

from __future__ import annotations

import datetime as _dt
from datetime import date
from typing import Any, ClassVar

from pydantic import Field, field_validator

from ...errors import ConfigError
from ..protocol import SourceOptions
from .seasons import parse_season, parse_season_range, parse_season_types

DEFAULT_SAFETY_DAYS = 2


def _as_date(value: Any, option: str) -> Any:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{option} {value!r} is not a date: write it as YYYY-MM-DD") from None
    return value


def _each(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


class NBARetryOptions(SourceOptions):
    """What a run of just the open dead letters needs (``deadletters retry``)."""

    archive: str | None = Field(None, description="Read responses from this archive folder instead of the network.",
                                json_schema_extra={"metavar": "DIR"})
    full: bool = Field(False, description="Ignore the watermark: fetch the whole season again.")
    as_of: date | None = Field(None, description=(
        "Treat this date (YYYY-MM-DD) as today: which season is in progress, which days to schedule. "
        "Default: today, or offline the day of the archive's newest capture."),
        json_schema_extra={"metavar": "DATE"})
    safety_days: int = Field(DEFAULT_SAFETY_DAYS, description="Re-fetch this many days before the watermark.",
                             json_schema_extra={"metavar": "N"})

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, value: Any) -> Any:
        return _as_date(value, "--as-of")

    def season_list(self) -> list[str]:
        return []

    def arguments(self) -> dict[str, Any]:
        return {"archive": self.archive, "as_of": self.as_of.isoformat() if self.as_of else None}


class _RunOptions(NBARetryOptions):
    season_type: list[str] = Field(default_factory=lambda: parse_season_types("all"),
                                   description="regular, playoffs, play_in or all.",
                                   json_schema_extra={"metavar": "TYPE"})
    #: Days of the schedule to read for the season in progress, from ``as_of``.
    schedule_days: int = Field(1, ge=0, json_schema_extra={"cli": False})

    @field_validator("season_type", mode="before")
    @classmethod
    def _season_types(cls, value: Any) -> list[str]:
        out: list[str] = []
        for text in _each(value):
            out.extend(t for t in parse_season_types(text) if t not in out)
        return out

    def arguments(self) -> dict[str, Any]:
        return {"seasons": self.season_list(), "season_types": self.season_type, "full": self.full,
                "safety_days": self.safety_days, **super().arguments()}


class NBASyncOptions(_RunOptions):
    """``fieldhouse sync nba --season 2025-26 ...``: one season (several from Python)."""

    positional: ClassVar[tuple[str, ...]] = ("season", "season_type")

    season: list[str] = Field(description="The season, e.g. 2025-26.", json_schema_extra={"metavar": "SEASON"})

    @field_validator("season", mode="before")
    @classmethod
    def _season(cls, value: Any) -> list[str]:
        return [parse_season(text) for text in _each(value)]

    def season_list(self) -> list[str]:
        return list(self.season)


class NBABackfillOptions(_RunOptions):
    """``fieldhouse backfill nba --seasons 2019-20..2024-25 ...``."""

    seasons: list[str] = Field(description="A range such as 2019-20..2024-25, or a comma list.",
                                json_schema_extra={"metavar": "RANGE"})

    @field_validator("seasons", mode="before")
    @classmethod
    def _seasons(cls, value: Any) -> list[str]:
        if isinstance(value, str):
            return parse_season_range(value)
        return [parse_season(text) for text in value]

    def season_list(self) -> list[str]:
        return list(self.seasons)


class NBAAuditOptions(SourceOptions):
    """``fieldhouse audit --source nba [--season S]``."""

    season: str | None = Field(None, description="Only this season, e.g. 2018-19.",
                               json_schema_extra={"metavar": "SEASON"})

    @field_validator("season", mode="before")
    @classmethod
    def _season(cls, value: Any) -> Any:
        return parse_season(value) if value is not None else None

    def arguments(self) -> dict[str, Any]:
        return {"season": self.season} if self.season else {}


class NBAWatchOptions(SourceOptions):
    """``fieldhouse watch nba [--date D]``: one day's games (default: today, UTC)."""

    date: _dt.date | None = Field(None, description="The day to watch, YYYY-MM-DD (default: today, UTC).",
                              json_schema_extra={"metavar": "DATE"})

    @field_validator("date", mode="before")
    @classmethod
    def _day(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value.strip())
            except ValueError:
                raise ConfigError(f"--date {value!r} is not a date: write it as YYYY-MM-DD") from None
        return value

    def day(self) -> _dt.date:
        return self.date or _dt.datetime.now(_dt.UTC).date()

    def arguments(self) -> dict[str, Any]:
        return {"date": self.day().isoformat()}
