"""nba_api's endpoint classes and send_api_request, over our fetcher and the fake server."""

from __future__ import annotations

import pytest
from nba_api.stats.endpoints import (
    boxscoresummaryv2,
    boxscoretraditionalv3,
    leaguegamelog,
    playbyplayv3,
    scoreboardv3,
)

from fieldhouse.errors import BadResponseError
from fieldhouse.settings import Settings
from fieldhouse.sources.http import FakeClock
from fieldhouse.sources.nba import NBAClient

NBA = "nba/"


@pytest.fixture
def client(make_fetcher) -> NBAClient:
    return NBAClient(make_fetcher())


def test_nba_api_builds_the_request_and_parses_the_answer(client, server):
    call = client.call(leaguegamelog.LeagueGameLog, season="2018-19",
                       season_type_all_star="Playoffs")
    # nba_api's own parameter names and defaults, sorted as nba_api sends them
    assert server.requests[0].query == {
        "Counter": "0", "DateFrom": "", "DateTo": "", "Direction": "ASC", "LeagueID": "00",
        "PlayerOrTeam": "T", "Season": "2018-19", "SeasonType": "Playoffs", "Sorter": "DATE",
    }
    assert server.requests[0].path == "/stats/leaguegamelog"
    # our headers (nba_api's browser headers without the stats.nba.com Host)
    assert server.requests[0].headers["Host"].startswith("127.0.0.1:")
    assert server.requests[0].headers["Referer"] == "https://www.nba.com/"
    assert len(call.endpoint.league_game_log.get_dict()["data"]) == 164
    assert call.response.endpoint == "leaguegamelog"
    assert call.response.params["SeasonType"] == "Playoffs"


def test_faults_are_retried_under_nba_api(client, server, clock):
    server.fail("empty")
    server.fail("status", status=429, retry_after="3")
    call = client.call(leaguegamelog.LeagueGameLog, season="2018-19",
                       season_type_all_star="Playoffs")
    assert call.response.attempts == 3
    assert clock.sleeps == [2.0, 3.0]


def test_a_bad_body_never_reaches_nba_api(make_fetcher, server):
    import dataclasses

    from .conftest import EXACT

    server.fail("body", body=b'{"Message":"An error has occurred."}', times=2)
    client = NBAClient(make_fetcher(dataclasses.replace(EXACT, max_attempts=2)))
    with pytest.raises(BadResponseError, match="neither resultSets"):
        client.call(leaguegamelog.LeagueGameLog, season="2018-19", season_type_all_star="Playoffs")


@pytest.mark.filterwarnings("ignore:BoxScoreSummaryV2 has known data availability issues")
@pytest.mark.parametrize("endpoint_class, file, kwargs, check", [
    (scoreboardv3.ScoreboardV3, "scoreboardv3/scoreboardv3_2025-11-05_cassette.json",
     {"game_date": "2025-11-05"}, lambda d: len(d["scoreboard"]["games"]) == 11),
    (boxscoretraditionalv3.BoxScoreTraditionalV3,
     "boxscoretraditionalv3/boxscoretraditionalv3_0022200552.json",
     {"game_id": "0022200552"}, lambda d: d["boxScoreTraditional"]["gameId"] == "0022200552"),
    (playbyplayv3.PlayByPlayV3, "playbyplayv3/playbyplayv3_0022400001_docs_sample.json",
     {"game_id": "0022400001"}, lambda d: len(d["game"]["actions"]) == 475),
    (boxscoresummaryv2.BoxScoreSummaryV2,
     "boxscoresummaryv2/boxscoresummaryv2_0022300001_2023-11-03_IND-CLE.json",
     {"game_id": "0022300001"}, lambda d: len(d["resultSets"]) == 9),
])
def test_other_endpoint_shapes_are_accepted(client, server, fixtures_dir, endpoint_class, file,
                                            kwargs, check):
    name = file.split("/")[0]
    server.add_file(f"/stats/{name}", fixtures_dir / NBA / file)
    call = client.call(endpoint_class, **kwargs)
    assert check(call.response.data)
    assert call.endpoint.get_dict() == call.response.data


def test_client_from_settings_points_nba_api_at_the_configured_base_url(server):
    settings = Settings(nba={"base_url": server.url("/stats"), "min_interval": 0.0, "jitter": 0.0})
    client = NBAClient.from_settings(settings, clock=FakeClock())
    try:
        call = client.call(leaguegamelog.LeagueGameLog, season="2018-19",
                           season_type_all_star="Regular Season")
    finally:
        client.close()
    assert len(call.endpoint.league_game_log.get_dict()["data"]) == 2460
    assert client.fetcher.policy.max_attempts == settings.http_max_attempts
