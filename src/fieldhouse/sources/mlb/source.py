"""The MLB source (statsapi.mlb.com), as fieldhouse finds it: the object the
``fieldhouse.sources`` entry point ``mlb`` names (see docs/mlb.md)::

    fieldhouse sync mlb --date 2024-07-01          fieldhouse.sync("mlb", settings, date="2024-07-01")
    fieldhouse sync mlb --from-files saved/        fieldhouse.sync("mlb", settings, from_files="saved/")
    fieldhouse backfill mlb --seasons 2021..2024   fieldhouse.backfill("mlb", settings, seasons="2021..2024")

Importing this module is cheap: the mappings, the HTTP layer and the audits load when used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any

from ..protocol import BaseSource, SourceContext, SourceOptions
from .options import (
    MLBAuditOptions,
    MLBBackfillOptions,
    MLBRetryOptions,
    MLBSyncOptions,
    MLBWatchOptions,
)
from .settings import MLBSettings

#: A small, stable answer of the API for the pre-flight (one call, counted like any).
API_CHECK_SEASON = "2024"


class MLBSource(BaseSource):
    name = "mlb"
    settings_model = MLBSettings
    options = {"sync": MLBSyncOptions, "backfill": MLBBackfillOptions, "retry": MLBRetryOptions,
               "audit": MLBAuditOptions, "watch": MLBWatchOptions}

    @property
    def demo(self):  # type: ignore[override]
        from .demo import DEMO

        return DEMO

    def tables(self) -> Mapping[str, Any]:
        from .schema import tables

        return tables()

    def live(self, data: Any, now: Any) -> bool | None:
        """Whether a game is on, from the data (the freshness alert asks): a game of today or
        yesterday (US dates lag UTC) whose stored state is ``Live``.  None otherwise: the
        alert then reads recent run activity."""
        games = self.tables()["mlb.games"]
        if not data.table_exists(games):
            return None
        days = [now.date(), now.date() - timedelta(days=1)]
        found = data.rows(games, where={"abstract_state": "Live", "official_date": ("in", days)},
                          columns=["game_pk"], limit=1)
        return True if found else None

    def handlers(self) -> Mapping[str, Any]:
        from .handlers import HANDLERS

        return HANDLERS

    def validate(self, endpoint: str, data: Any) -> None:
        from .validate import mlb_stats

        mlb_stats(endpoint, data)

    def open(self, settings: Any, options: SourceOptions) -> SourceContext:
        client = None
        if not options.offline:
            from .client import MLBClient

            client = MLBClient.from_settings(settings)
        return SourceContext(self.name, settings, options, client)

    def plan(self, context: SourceContext, stores: Any) -> list:
        from . import plan

        o: Any = context.options
        client = context.client
        if isinstance(o, MLBBackfillOptions):
            return [u for season in o.seasons for u in plan.plan_season(
                client, stores, season, full=o.full, as_of=o.as_of, safety_days=o.safety_days)]
        if not isinstance(o, MLBSyncOptions):
            return []  # a retry: just the dead letters
        if o.from_files:
            return plan.file_units(stores, o.from_files)
        if o.games:
            return plan.plan_games(client, stores, o.games, full=o.full)
        if o.season:
            return plan.plan_season(client, stores, o.season, full=o.full, as_of=o.as_of, safety_days=o.safety_days)
        first, last = o.date_range()
        return plan.plan_dates(client, stores, first, last, full=o.full, as_of=o.as_of)

    def unit_for_key(self, context: SourceContext, stores: Any, key: str):
        from .plan import unit_for_key

        if context.client is None:  # offline (--from-files): only its own files' units
            return None
        o: Any = context.options
        return unit_for_key(context.client, stores, key, full=o.full, safety_days=o.safety_days)

    def api_check(self, context: SourceContext) -> str | None:
        if context.client is None:
            return None
        response = context.client.seasons(API_CHECK_SEASON)
        return f"statsapi answers ({len(response.body)} bytes)"

    def audits(self, options: SourceOptions) -> Sequence[Any]:
        from .audits import audits_for

        if isinstance(options, MLBBackfillOptions):
            return [a for season in options.seasons for a in audits_for(season=season)]
        span = options.date_range() if hasattr(options, "date_range") else None
        days = [span[0] + timedelta(days=n) for n in range((span[1] - span[0]).days + 1)] if span else None
        return audits_for(dates=days, games=getattr(options, "games", None), season=getattr(options, "season", None))

    def watch_plan(self, context: SourceContext, stores: Any) -> Any:
        from .watch import MLBWatchPlan

        o: Any = context.options
        s = context.settings
        knobs = {"full_every": s.watch_full_every, "keep_captures": s.watch_keep_captures,
                 "keep_diffs": s.watch_keep_diffs}
        return MLBWatchPlan(context.client, stores, o.day(), o.games, knobs)


source = MLBSource()
