"""Calling stats.nba.com through ``nba_api``, over fieldhouse's HTTP layer.

``nba_api``'s endpoint classes build every request (endpoint name, parameter names and
defaults) and its :class:`~nba_api.stats.library.http.NBAStatsHTTP` formats the URL, sorts
the parameters and picks the headers, exactly as it does for its own users.  What we swap
is underneath: a subclass of ``NBAStatsHTTP`` carries *our* base URL and headers, and its
session is an adapter whose ``get`` goes through a :class:`~fieldhouse.sources.http.Fetcher`
(rate limit, timeouts, retries, circuit breaker, validation) or an
:class:`~fieldhouse.sources.archive.ArchiveFetcher` (offline).  ``nba_api`` then builds its
data sets as usual, from the body the fetcher already parsed (a body is parsed once)::

    from nba_api.stats.endpoints import leaguegamelog
    client = NBAClient.from_settings(settings)
    call = client.call(leaguegamelog.LeagueGameLog, season="2018-19",
                       season_type_all_star="Playoffs", player_or_team_abbreviation="T")
    call.endpoint.league_game_log.get_dict()   # nba_api's parsed data
    call.response                              # our Response: body, params, captured_at
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nba_api.stats.library.http import STATS_HEADERS, NBAStatsHTTP, NBAStatsResponse

from ..http.clock import Clock
from ..http.fetcher import Fetcher, FetcherLike, FetchPolicy
from ..http.response import Response
from .settings import NBASettings
from .validate import nba_stats

SOURCE = "nba"


def nba_headers() -> dict[str, str]:
    """``nba_api``'s browser-like headers, minus ``Host`` (taken from the URL, so the base
    URL can point elsewhere) and with encodings ``requests`` can always decode."""
    headers = {k: v for k, v in STATS_HEADERS.items() if k.lower() != "host"}
    headers["Accept-Encoding"] = "gzip, deflate"
    return headers


@dataclass(frozen=True)
class NBACall:
    """One endpoint call: ``endpoint`` is the ``nba_api`` endpoint object with its data sets
    loaded; ``response`` is the accepted :class:`Response` (what the raw zone stores)."""

    endpoint: Any
    response: Response


class _Reply:
    """The part of a ``requests.Response`` that ``NBAHTTP.send_api_request`` reads."""

    def __init__(self, url: str, status_code: int, text: str) -> None:
        self.url = url
        self.status_code = status_code
        self.text = text


class _FetcherSession:
    """Stands in for ``requests.Session`` inside ``nba_api``: ``get`` goes through a fetcher."""

    def __init__(self, fetcher: FetcherLike, endpoint: str) -> None:
        self.fetcher = fetcher
        self.endpoint = endpoint
        self.last: Response | None = None

    def get(self, url: str, params: Any = None, headers: Mapping[str, str] | None = None,
            proxies: Any = None, timeout: Any = None, **_: Any) -> _Reply:
        # ``timeout`` and ``proxies`` are nba_api's; the fetcher's policy and session rule.
        response = self.fetcher.get(self.endpoint, params, url=url, headers=headers)
        self.last = response
        return _Reply(response.url or url, response.status, response.body.decode("utf-8-sig"))


class _ParsedStatsResponse(NBAStatsResponse):
    """nba_api's response object over the body our fetcher parsed: ``get_dict`` returns that
    parse instead of parsing the text again."""

    def __init__(self, *args: Any, session: _FetcherSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fetched = session.last

    def get_dict(self) -> Any:
        return self._fetched.data if self._fetched is not None else super().get_dict()


class _RoutedNBAStatsHTTP(NBAStatsHTTP):
    """``NBAStatsHTTP`` with a per-instance base URL, headers and session."""

    def __init__(self, session: _FetcherSession, base_url: str, headers: Mapping[str, str]) -> None:
        self._session = session
        self.base_url = base_url
        self.headers = dict(headers)
        self.nba_response = lambda **kw: _ParsedStatsResponse(session=session, **kw)

    def get_session(self) -> _FetcherSession:  # type: ignore[override]
        return self._session


class NBAClient:
    """Call ``nba_api`` endpoint classes through ``fetcher`` (live or archive).

    ``base_url`` (default: the fetcher's, else stats.nba.com) is the prefix the endpoint
    name is appended to; tests point it at the fake server.
    """

    def __init__(self, fetcher: FetcherLike, *, base_url: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        self.fetcher = fetcher
        base = base_url or getattr(fetcher, "base_url", None) or "https://stats.nba.com/stats"
        self.base_url = base.rstrip("/")
        self.headers = dict(headers) if headers is not None else nba_headers()

    @classmethod
    def from_settings(cls, settings: Any, *, archive: str | None = None, clock: Clock | None = None,
                      rng: random.Random | None = None, **policy: Any) -> NBAClient:
        """A client over a live fetcher configured by ``settings`` (the NBA settings:
        ``FIELDHOUSE_NBA__BASE_URL``, ``__MIN_INTERVAL``, ``__JITTER``; and ``http_*``), or
        over the archive at ``archive`` (default ``settings.archive_dir``) when one is given."""
        nba = settings.for_source(SOURCE, NBASettings)
        archive = archive or getattr(settings, "archive_dir", None)
        if archive:
            from .archive import NBAArchiveFetcher

            return cls(NBAArchiveFetcher(archive, SOURCE, validator=nba_stats), base_url=nba.base_url)
        fetcher = Fetcher(SOURCE, nba.base_url, FetchPolicy.from_settings(settings, nba, **policy),
                          validator=nba_stats, clock=clock, rng=rng)
        return cls(fetcher)

    @property
    def http_calls(self) -> int:
        """HTTP requests sent so far (every attempt counts; none offline)."""
        return int(getattr(self.fetcher, "http_calls", 0))

    def call(self, endpoint_class: type, **arguments: Any) -> NBACall:
        """Build ``endpoint_class(**arguments)`` without letting it send, send its request
        through our fetcher with nba_api's own ``send_api_request``, then let it parse."""
        endpoint = endpoint_class(**arguments, get_request=False)
        session = _FetcherSession(self.fetcher, endpoint.endpoint)
        http = _RoutedNBAStatsHTTP(session, f"{self.base_url}/{{endpoint}}", self.headers)
        endpoint.nba_response = http.send_api_request(
            endpoint=endpoint.endpoint, parameters=endpoint.parameters, headers=self.headers,
        )
        endpoint.load_response()
        assert session.last is not None
        return NBACall(endpoint, session.last)

    def close(self) -> None:
        close = getattr(self.fetcher, "close", None)
        if close is not None:
            close()
