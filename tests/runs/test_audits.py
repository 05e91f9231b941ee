"""Each NBA audit fails on crafted bad data, naming the offending keys, and passes on good data."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fieldhouse import connect
from fieldhouse.runs.audits import run_audits
from fieldhouse.sources.audits import KEY_CAP, verdict
from fieldhouse.sources.nba.audits import audits_for, expected_regular_games
from fieldhouse.sources.nba.schema import TABLES

AT = datetime(2019, 6, 14, tzinfo=UTC)
TODAY = date(2019, 6, 14)  # the day after the crafted game: its post-season is not over
LATER = date(2024, 1, 1)


def good_data() -> dict[str, list[dict]]:
    teams = [{"team_id": t, "abbreviation": a, "full_name": a, "conference": "x", "division": "y", "captured_at": AT}
             for t, a in ((1610612761, "TOR"), (1610612744, "GSW"))]
    players = [{"player_id": p, "full_name": f"p{p}", "is_active": True, "captured_at": AT} for p in (1, 2, 3, 4)]
    games = [{"game_id": "0041800406", "season": "2018-19", "season_type": "playoffs",
              "game_date": date(2019, 6, 13), "home_team_id": 1610612744, "away_team_id": 1610612761,
              "home_score": 110, "away_score": 114, "winner_team_id": 1610612761, "status": "final",
              "captured_at": AT}]
    team_stats = [{"game_id": "0041800406", "team_id": 1610612761, "season": "2018-19", "pts": 114, "captured_at": AT},
                  {"game_id": "0041800406", "team_id": 1610612744, "season": "2018-19", "pts": 110, "captured_at": AT}]
    player_stats = [
        {"game_id": "0041800406", "player_id": 1, "team_id": 1610612761, "season": "2018-19", "pts": 100, "captured_at": AT},
        {"game_id": "0041800406", "player_id": 2, "team_id": 1610612761, "season": "2018-19", "pts": 14, "captured_at": AT},
        {"game_id": "0041800406", "player_id": 3, "team_id": 1610612744, "season": "2018-19", "pts": 110, "captured_at": AT},
        {"game_id": "0041800406", "player_id": 4, "team_id": 1610612744, "season": "2018-19", "pts": None, "captured_at": AT},
    ]
    return {"nba.teams": teams, "nba.players": players, "nba.games": games,
            "nba.team_game_stats": team_stats, "nba.player_game_stats": player_stats}


def audit(url, data, season=None, today=TODAY):
    with connect(url) as store:
        for name, rows in data.items():
            store.ensure_table(TABLES[name])
            if rows:
                result = store.upsert(TABLES[name], rows)
                assert result.rejected == 0, result.rejects
        report = run_audits(store, audits_for(season=season, today=today))
    return {r.name: r for r in report.results}


def failing(results):
    return sorted(name for name, r in results.items() if not r.passed)


def test_good_data_passes(sqlite_url):
    results = audit(sqlite_url, good_data())
    assert failing(results) == []
    assert results["team_points_match_players"].checked == 2


def _mutate(data, table, index, **changes):
    data[table][index] = {**data[table][index], **changes}
    return data


CASES = {
    "final_games_two_team_rows": (lambda d: d["nba.team_game_stats"].pop(), "0041800406 (1 rows)"),
    "final_games_have_player_rows": (
        lambda d: d.__setitem__("nba.player_game_stats", d["nba.player_game_stats"][:2]),
        "0041800406 (no player rows for team 1610612744)"),
    "final_games_have_scores": (lambda d: _mutate(d, "nba.games", 0, home_score=None), "0041800406"),
    "team_points_match_players": (lambda d: _mutate(d, "nba.player_game_stats", 1, pts=13),
                                  "0041800406/1610612761 (team 114, players 113)"),
    "no_orphan_keys": (lambda d: d["nba.players"].pop(0), "nba.player_game_stats 0041800406/1 -> nba.players"),
    "home_and_away_differ": (lambda d: _mutate(d, "nba.games", 0, away_team_id=1610612744), "0041800406"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_audit_fails_on_bad_data_and_names_the_keys(sqlite_url, name):
    data = good_data()
    mutate, key = CASES[name]
    mutate(data)
    results = audit(sqlite_url, data)
    assert name in failing(results)
    assert key in results[name].keys and results[name].failures >= 1
    assert key in results[name].detail


def test_orphans_of_games_and_teams(sqlite_url):
    data = good_data()
    data["nba.teams"].pop(0)
    data["nba.team_game_stats"].append({"game_id": "0041800499", "team_id": 1610612744, "season": "2018-19",
                                        "pts": 1, "captured_at": AT})
    keys = audit(sqlite_url, data)["no_orphan_keys"].keys
    assert "nba.games 0041800406.away_team_id=1610612761 -> nba.teams" in keys
    assert "nba.team_game_stats 0041800499/1610612744 -> nba.games" in keys
    assert "nba.team_game_stats 0041800406/1610612761 -> nba.teams" in keys


def _season_of_games(n, season="2017-18", season_type="regular", status="final", start=0):
    return [{"game_id": f"002{season[2:4]}{i:05d}", "season": season, "season_type": season_type,
             "game_date": date(int(season[:4]), 11, 1), "home_team_id": 1610612744, "away_team_id": 1610612761,
             "home_score": None, "away_score": None, "status": status, "captured_at": AT}
            for i in range(start, start + n)]


def test_plausibility_of_final_games_against_the_schedule(sqlite_url, tmp_path):
    data = {"nba.games": _season_of_games(1000)}  # a finished regular season with 1,000 of 1,230
    result = audit(sqlite_url, data, today=LATER)["final_games_plausible"]
    assert not result.passed and "2017-18 regular: 1000 final games, the schedule has 1230" in result.keys
    full = {"nba.games": _season_of_games(1230)}
    assert audit(f"sqlite:///{tmp_path / 'b.db'}", full, today=LATER)["final_games_plausible"].passed
    assert expected_regular_games("2019-20") == 971
    bubble = {"nba.games": _season_of_games(971, season="2019-20")}
    assert audit(f"sqlite:///{tmp_path / 'c.db'}", bubble, today=LATER)["final_games_plausible"].passed
    few_playoffs = {"nba.games": _season_of_games(20, season_type="playoffs")}
    result = audit(f"sqlite:///{tmp_path / 'd.db'}", few_playoffs, today=LATER)["final_games_plausible"]
    assert "2017-18 playoffs: 20 final games, expected 60 to 105" in result.keys
    # a season in progress: games scheduled long ago that are still not final
    stuck = {"nba.games": _season_of_games(600, season="2023-24")
             + _season_of_games(630, season="2023-24", status="scheduled", start=600)}
    result = audit(f"sqlite:///{tmp_path / 'e.db'}", stuck, today=date(2024, 1, 1))["final_games_plausible"]
    assert not result.passed and "games scheduled more than two days ago are not final" in result.detail


def test_season_scope_and_key_cap(sqlite_url):
    data = good_data()
    other = {**data["nba.games"][0], "game_id": "0041700406", "season": "2017-18", "home_score": None}
    data["nba.games"].append(other)
    assert "final_games_have_scores" in failing(audit(sqlite_url, data))
    assert failing(audit(sqlite_url, {}, season="2018-19")) == []
    result = verdict("x", 100, [f"k{i}" for i in range(50)], "things wrong")
    assert len(result.keys) == KEY_CAP and result.failures == 50 and "(first 20 shown)" in result.detail
