"""Fixtures for the fetching, landing, replay and archive tests: a fake stats server on
127.0.0.1 serving the recorded fixtures, and a fake clock so nothing really sleeps."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldhouse.sources.http import FakeClock, Fetcher, FetchPolicy
from fieldhouse.sources.nba.validate import nba_stats
from fieldhouse.testing import FakeStatsServer

LOG_T_PLAYOFFS = "nba/leaguegamelog/leaguegamelog_T_2018-19_playoffs_full.json"
LOG_T_REGULAR = "nba/leaguegamelog/leaguegamelog_T_2018-19_regular_season_full.json"
# The query nba_api's LeagueGameLog sends for these (PlayerOrTeam=T is its default).
PLAYOFFS = {"Season": "2018-19", "SeasonType": "Playoffs"}
REGULAR = {"Season": "2018-19", "SeasonType": "Regular Season"}


@pytest.fixture
def server(fixtures_dir: Path) -> Iterator[FakeStatsServer]:
    with FakeStatsServer() as srv:
        srv.add_file("/stats/leaguegamelog", fixtures_dir / LOG_T_PLAYOFFS, match=PLAYOFFS)
        srv.add_file("/stats/leaguegamelog", fixtures_dir / LOG_T_REGULAR, match=REGULAR)
        yield srv


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


# A policy with round numbers and no jitter, so schedules can be asserted exactly.
EXACT = FetchPolicy(min_interval=0.0, jitter=0.0, connect_timeout=2.0, read_timeout=2.0,
                    max_attempts=5, max_total_wait=100.0, backoff_initial=2.0,
                    backoff_max=30.0, backoff_jitter=0.0, breaker_threshold=50,
                    breaker_reset_after=0.0)


@pytest.fixture
def make_fetcher(server: FakeStatsServer, clock: FakeClock):
    made: list[Fetcher] = []

    def make(policy: FetchPolicy = EXACT, **kwargs) -> Fetcher:
        kwargs.setdefault("validator", nba_stats)
        kwargs.setdefault("rng", random.Random(7))
        fetcher = Fetcher("nba", server.url("/stats"), policy, clock=clock, **kwargs)
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()
