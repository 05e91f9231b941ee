"""NBA tests: the recorded responses in ../shared/fixtures/nba, served by a local fake
stats server (or read from an archive).  No test calls the real API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from fieldhouse.settings import Settings
from fieldhouse.testing.fakeserver import FakeStatsServer


def game_log(fixtures_dir: Path, name: str) -> dict:
    return json.loads((fixtures_dir / "nba" / "leaguegamelog" / name).read_text())


def with_rows(payload: dict, rows: list[list]) -> dict:
    """The same response with other rows (for snapshots derived from a real one)."""
    result = dict(payload["resultSets"][0], rowSet=rows)
    return {**payload, "resultSets": [result, *payload["resultSets"][1:]]}


def empty_player_log(fixtures_dir: Path) -> dict:
    """A real player-mode response's shape with no rows (a season type with no games yet)."""
    return with_rows(game_log(fixtures_dir, "leaguegamelog_P_2018-19_playoffs_full.json"), [])


def route_game_log(server: FakeStatsServer, payload: dict, *, season: str, season_type: str,
                   mode: str, date_from: str = "") -> None:
    server.add("/stats/leaguegamelog", payload,
               match={"Season": season, "SeasonType": season_type, "PlayerOrTeam": mode, "DateFrom": date_from})


def serve_api_check(server: FakeStatsServer, fixtures_dir: Path) -> None:
    """The pre-flight's tiny request: the scoreboard of an off-season day (a real, empty one)."""
    server.add_file("/stats/scoreboardv3",
                    fixtures_dir / "nba" / "scoreboardv3" / "scoreboardv3_2025-07-15_offseason_empty.json",
                    match={"GameDate": "2025-07-15"})


def serve_playoffs(server: FakeStatsServer, fixtures_dir: Path) -> None:
    """The 2018-19 playoffs (team and player mode), the all-time player list, and the
    pre-flight's off-season scoreboard."""
    serve_api_check(server, fixtures_dir)
    for mode in ("T", "P"):
        route_game_log(server, game_log(fixtures_dir, f"leaguegamelog_{mode}_2018-19_playoffs_full.json"),
                       season="2018-19", season_type="Playoffs", mode=mode)
    server.add_file("/stats/commonallplayers",
                    fixtures_dir / "nba" / "commonallplayers" / "commonallplayers_2025-26_all_time_docs_sample.json",
                    match={"IsOnlyCurrentSeason": "0"})


@pytest.fixture
def nba_server(fixtures_dir: Path) -> Iterator[FakeStatsServer]:
    """A fake stats server serving :func:`serve_playoffs`."""
    with FakeStatsServer() as server:
        serve_playoffs(server, fixtures_dir)
        yield server


def settings_for(db_url: str, server: FakeStatsServer) -> Settings:
    return Settings(database_url=db_url, nba={"base_url": server.url("/stats"), "min_interval": 0, "jitter": 0},
                    http_backoff_initial=0, http_backoff_jitter=0, http_max_attempts=2)
