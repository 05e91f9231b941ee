"""Calling statsapi.mlb.com over fieldhouse's HTTP layer (rate limit with jitter, retries
with backoff, gzip, the circuit breaker), every body checked by :mod:`.validate` before it
is accepted, so a bad body is retried and, in the end, never stored::

    client = MLBClient.from_settings(settings)
    client.schedule(date(2024, 7, 1), date(2024, 7, 7))   # one call for the whole range
    client.feed(717209)                                   # /api/v1.1/game/717209/feed/live
    client.teams("2024"); client.people([545361, 592450])

Each method returns the accepted :class:`~fieldhouse.sources.http.response.Response`
under a stable endpoint name (``schedule``, ``feed/live``, ``teams``, ``people``,
``seasons``) and its parameters (a feed's ``gamePk`` included), which is what the raw zone
keys on and what the handlers of :mod:`.handlers` are registered for.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import replace
from datetime import date
from typing import Any

from ..http.clock import Clock
from ..http.fetcher import Fetcher, FetcherLike, FetchPolicy
from ..http.response import Response, canonical_params
from . import validate
from .settings import MLBSettings

SOURCE = "mlb"
SPORT_MLB = "1"
#: Endpoint name -> the path under the base URL (``{pk}`` / ``{season}`` filled in).
PATHS = {
    "schedule": "v1/schedule",
    "feed/live": "v1.1/game/{pk}/feed/live",
    "feed/live/diffPatch": "v1.1/game/{pk}/feed/live/diffPatch",
    "teams": "v1/teams",
    "people": "v1/people",
    "seasons": "v1/seasons/{season}",
}

# The query of the request being validated (the fetcher's validators see only the path).
_ASKED: ContextVar[Mapping[str, Any] | None] = ContextVar("mlb_asked", default=None)


def check_body(path: str, data: Any) -> None:
    """The fetcher's validator: :func:`.validate.validate` with the query of the request."""
    validate.validate(path, data, _ASKED.get() or {})


class MLBClient:
    """The MLB Stats API endpoints fieldhouse reads, through ``fetcher`` (whose validator
    should be :func:`check_body`; :meth:`from_settings` builds one)."""

    def __init__(self, fetcher: FetcherLike) -> None:
        self.fetcher = fetcher

    @classmethod
    def from_settings(cls, settings: Any, *, clock: Clock | None = None, rng: random.Random | None = None,
                      **policy: Any) -> MLBClient:
        """A live client: the MLB settings (``FIELDHOUSE_MLB__BASE_URL``, ``__MIN_INTERVAL``,
        ``__JITTER``) and the ``http_*`` settings (``policy`` overrides single fields)."""
        mlb = settings.for_source(SOURCE, MLBSettings)
        fetcher = Fetcher(SOURCE, mlb.base_url, FetchPolicy.from_settings(settings, mlb, **policy),
                          validator=check_body, clock=clock, rng=rng,
                          headers={"Accept-Encoding": "gzip, deflate"},
                          empty_ok=lambda path: path.endswith("/feed/live/diffPatch"))
        return cls(fetcher)

    @property
    def http_calls(self) -> int:
        """HTTP requests sent so far (every attempt counts)."""
        return int(getattr(self.fetcher, "http_calls", 0) or 0)

    def get(self, endpoint: str, params: Mapping[str, Any] | None = None, **path_args: Any) -> Response:
        """GET ``endpoint`` (a key of :data:`PATHS`); the response is named ``endpoint``,
        with ``params`` plus the path arguments (``gamePk``) as its parameters."""
        path = PATHS[endpoint].format(**path_args)
        query = canonical_params(params)
        token = _ASKED.set(query)
        try:
            response = self.fetcher.get(path, query)
        finally:
            _ASKED.reset(token)
        named = dict(query)
        if "pk" in path_args:
            named["gamePk"] = str(path_args["pk"])
        if "season" in path_args:
            named["seasonId"] = str(path_args["season"])
        return replace(response, endpoint=endpoint, params=canonical_params(named))

    def schedule(self, start: date, end: date, *, hydrate: str | None = None) -> Response:
        """Every game from ``start`` to ``end`` (inclusive) in one call."""
        return self.get("schedule", {"sportId": SPORT_MLB, "startDate": start.isoformat(),
                                     "endDate": end.isoformat(), "hydrate": hydrate})

    def feed(self, game_pk: int) -> Response:
        """The live feed of one game (its ``gamePk`` checked against the body)."""
        return self.get("feed/live", pk=int(game_pk))

    def diff_patch(self, game_pk: int, start_timecode: str) -> Response:
        """What changed in a game's feed since ``start_timecode`` (``YYYYMMDD_HHMMSS``, the
        ``metaData.timeStamp`` of the state held): a list of ``{"diff": [...]}``, or a whole
        feed when the server prefers (see :mod:`.patch`)."""
        return self.get("feed/live/diffPatch", {"startTimecode": start_timecode}, pk=int(game_pk))

    def teams(self, season: str) -> Response:
        return self.get("teams", {"sportId": SPORT_MLB, "season": str(season)})

    def people(self, person_ids: Iterable[int]) -> Response:
        ids = ",".join(str(int(p)) for p in sorted(set(person_ids)))
        return self.get("people", {"personIds": ids})

    def seasons(self, season: str) -> Response:
        return self.get("seasons", {"sportId": SPORT_MLB}, season=str(season))

    def close(self) -> None:
        close = getattr(self.fetcher, "close", None)
        if close is not None:
            close()


__all__ = ["MLBClient", "PATHS", "check_body"]
