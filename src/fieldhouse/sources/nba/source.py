"""The NBA source (stats.nba.com through ``nba_api``), as fieldhouse finds it: the object the
``fieldhouse.sources`` entry point ``nba`` names (see docs/nba.md).

Importing this module is cheap: ``nba_api`` and the HTTP layer load when a run opens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from ..protocol import BaseSource, SourceContext, SourceOptions
from .options import (
    NBAAuditOptions,
    NBABackfillOptions,
    NBARetryOptions,
    NBASyncOptions,
    NBAWatchOptions,
)
from .settings import NBASettings


class NBASource(BaseSource):
    name = "nba"
    settings_model = NBASettings
    options = {"sync": NBASyncOptions, "backfill": NBABackfillOptions, "retry": NBARetryOptions,
               "audit": NBAAuditOptions, "watch": NBAWatchOptions}

    @property
    def demo(self):  # type: ignore[override]
        from .demo import DEMO

        return DEMO

    def tables(self) -> Mapping[str, Any]:
        from .schema import tables

        return tables()

    def handlers(self) -> Mapping[str, Any]:
        from .handlers import HANDLERS

        return HANDLERS

    def validate(self, endpoint: str, data: Any) -> None:
        from .validate import nba_stats

        nba_stats(endpoint, data)

    def record_count(self, endpoint: str, data: Any) -> int | None:
        from .handlers import GROWING, first_result_rows

        return first_result_rows(data) if endpoint in GROWING else None

    def static_units(self) -> Sequence[Any]:
        from .units import TeamsUnit

        return [TeamsUnit()]  # the 30 teams: static data shipped with nba_api, no response

    def open(self, settings: Any, options: SourceOptions) -> SourceContext:
        from .client import NBAClient
        from .seasons import check_arguments
        from .units import archive_as_of

        archive = getattr(options, "archive", None)
        newest = archive_as_of(archive) if archive else None
        if archive and getattr(options, "as_of", None) is None:
            options = options.model_copy(update={"as_of": newest})
        if hasattr(options, "season_list"):  # bad arguments exit 2 before anything is recorded
            o: Any = options
            check_arguments(o.season_list(), as_of=o.as_of, safety_days=o.safety_days, newest_capture=newest)
        return SourceContext(self.name, settings, options, NBAClient.from_settings(settings, archive=archive))

    def plan(self, context: SourceContext, stores: Any) -> list:
        from .units import plan_units

        o: Any = context.options
        if not o.season_list():
            return []  # a retry: just the dead letters
        return plan_units(context.client, stores, o.season_list(), o.season_type, full=o.full,
                          as_of=o.as_of, schedule_days=o.schedule_days, safety_days=o.safety_days)

    def unit_for_key(self, context: SourceContext, stores: Any, key: str):
        from .units import unit_for_key

        o: Any = context.options
        return unit_for_key(context.client, stores, key, as_of=o.as_of, full=o.full, safety_days=o.safety_days)

    def watch_plan(self, context: SourceContext, stores: Any) -> Any:
        from .watch import NBAWatchPlan

        o: Any = context.options
        return NBAWatchPlan(context.client, stores, o.day())

    def api_check(self, context: SourceContext) -> str:
        from .units import api_check

        return api_check(context.client)

    def audits(self, options: SourceOptions) -> Sequence[Any]:
        from .audits import audits_for

        today: date | None = getattr(options, "as_of", None)
        seasons = options.season_list() if hasattr(options, "season_list") else [getattr(options, "season", None)]
        return [a for season in seasons for a in audits_for(season, today=today)]


source = NBASource()
