"""A tiny third-party source, as another package would write it, importing only the public
surface of fieldhouse: daily scores from a JSON API (``GET {base_url}/scores?day=...``
answers ``{"day": "2024-01-01", "scores": [{"team": "A", "points": 3}, ...]}``).

The tests install it next to fieldhouse (a dist-info on sys.path whose entry point is
``fieldhouse.sources: tiny = tinysource:source``) and drive it through the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import SettingsConfigDict

import fieldhouse
from fieldhouse import BaseSource, FetchPolicy, SourceContext, SourceOptions, SourceSettings, Table

SCORES = Table("tiny.scores", {"day": "date", "team": "text", "points": "int", "captured_at": "timestamptz"},
               primary_key=["day", "team"], version="captured_at")


class TinySettings(SourceSettings):
    model_config = SettingsConfigDict(env_prefix="FIELDHOUSE_TINY__")
    base_url: str = "https://tiny.invalid/api"
    min_interval: float = 0.0
    jitter: float = 0.0


class TinySync(SourceOptions):
    days: list[date] = Field(description="Comma-separated days, e.g. 2024-01-01,2024-01-02.",
                             json_schema_extra={"metavar": "DAYS"})

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> Any:
        return [d.strip() for d in value.split(",") if d.strip()] if isinstance(value, str) else value


@dataclass
class DayUnit:
    fetcher: Any
    stores: Any
    day: date
    kind: str = "day"

    @property
    def key(self) -> str:
        return f"tiny/{self.day.isoformat()}"

    def fetch(self):
        return self.fetcher.get("scores", {"day": self.day.isoformat()})

    def write(self, store, response):
        results = fieldhouse.ingest(store, response, control=self.stores.control).results
        return fieldhouse.UnitResult(results, {"days": self.day})


def scores(store, raw):
    store.ensure_table(SCORES)
    rows = [{"day": raw.data["day"], "team": s["team"], "points": s["points"], "captured_at": raw.captured_at}
            for s in raw.data["scores"]]
    return {SCORES.name: store.upsert(SCORES, rows)}


def points_not_negative(store):
    rows = store.rows(SCORES) if store.table_exists(SCORES) else []
    bad = [f"{r['day']}/{r['team']}" for r in rows if r["points"] < 0]
    return fieldhouse.verdict("points_not_negative", len(rows), bad, "scores below zero")


class TinySource(BaseSource):
    name = "tiny"
    settings_model = TinySettings
    options = {"sync": TinySync}

    def tables(self):
        return {SCORES.name: SCORES}

    def handlers(self):
        return {"scores": scores}

    def validate(self, endpoint, data):
        if endpoint == "scores" and not isinstance(data.get("scores"), list):
            raise fieldhouse.BadResponseError(f"{endpoint}: no scores list", endpoint=endpoint)
        if endpoint == "ping" and "ok" not in data:
            raise fieldhouse.BadResponseError(f"{endpoint}: no ok", endpoint=endpoint)

    def open(self, settings, options):
        mine = self.settings(settings)
        fetcher = fieldhouse.Fetcher("tiny", mine.base_url, FetchPolicy.from_settings(settings, mine),
                                     validator=self.validate)
        return SourceContext(self.name, settings, options, fetcher)

    def plan(self, context, stores):
        return [DayUnit(context.client, stores, day) for day in getattr(context.options, "days", [])]

    def unit_for_key(self, context, stores, key):
        name, _, day = key.partition("/")
        return DayUnit(context.client, stores, date.fromisoformat(day)) if name == self.name and day else None

    def api_check(self, context):
        context.client.get("ping")
        return f"{context.client.base_url} answers"

    def audits(self, options):
        return [points_not_negative]


source = TinySource()
