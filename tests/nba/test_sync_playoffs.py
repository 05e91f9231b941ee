"""A full sync of the 2018-19 playoffs against the fake server, and what must hold on it."""

from __future__ import annotations

from collections import defaultdict

import fieldhouse
from fieldhouse import sync_nba
from fieldhouse.sources.nba.schema import tables

from .conftest import settings_for


def _rows(db_url: str) -> dict[str, list[dict]]:
    with fieldhouse.connect(db_url) as store:
        return {name: store.rows(table) for name, table in tables().items()}


def test_full_sync_of_the_playoffs_holds_on_the_real_data(db_url, nba_server):
    report = sync_nba(settings_for(db_url, nba_server), ["2018-19"], ["playoffs"])
    assert report.status == "success", report.as_dict()
    # The pre-flight's tiny request, then league-wide endpoints only: the player list, the
    # team log and the player log.  Nothing per team.
    assert report.http_calls == 4
    assert sorted(r.path for r in nba_server.requests) == [
        "/stats/commonallplayers", "/stats/leaguegamelog", "/stats/leaguegamelog", "/stats/scoreboardv3"]

    rows = _rows(db_url)
    games = {g["game_id"]: g for g in rows["nba.games"]}
    team_rows = rows["nba.team_game_stats"]
    assert len(games) == 82 and len(team_rows) == 164
    assert all(g["status"] == "final" and g["season"] == "2018-19" and g["season_type"] == "playoffs"
               for g in games.values())
    assert len(rows["nba.teams"]) == 30

    per_game = defaultdict(list)
    for t in team_rows:
        per_game[t["game_id"]].append(t)
    for game_id, game in games.items():
        pair = per_game[game_id]
        assert len(pair) == 2, game_id  # exactly two team rows per final game
        by_team = {t["team_id"]: t for t in pair}
        assert set(by_team) == {game["home_team_id"], game["away_team_id"]}
        assert by_team[game["home_team_id"]]["pts"] == game["home_score"]
        assert by_team[game["away_team_id"]]["pts"] == game["away_score"]
        winner = next(t["team_id"] for t in pair if t["wl"] == "W")
        assert game["winner_team_id"] == winner
        assert by_team[game["home_team_id"]]["is_home"] and not by_team[game["away_team_id"]]["is_home"]

    player_points = defaultdict(int)
    for p in rows["nba.player_game_stats"]:
        player_points[(p["game_id"], p["team_id"])] += p["pts"]
    assert len(rows["nba.player_game_stats"]) == 1761
    assert {(t["game_id"], t["team_id"]): t["pts"] for t in team_rows} == dict(player_points)

    player_ids = {p["player_id"] for p in rows["nba.players"]}
    assert {p["player_id"] for p in rows["nba.player_game_stats"]} <= player_ids


def test_derived_team_stats_follow_their_formulas(sqlite_url, nba_server):
    sync_nba(settings_for(sqlite_url, nba_server), ["2018-19"], ["playoffs"])
    for t in _rows(sqlite_url)["nba.team_game_stats"]:
        possessions = t["fga"] + 0.44 * t["fta"] - t["oreb"] + t["tov"]
        assert abs(t["possessions"] - possessions) < 0.01
        assert abs(t["off_rating"] - 100 * t["pts"] / possessions) < 0.1
        assert abs(t["def_rating"] - 100 * (t["pts"] - t["plus_minus"]) / possessions) < 0.1
        assert abs(t["efg_pct"] - (t["fgm"] + 0.5 * t["fg3m"]) / t["fga"]) < 0.001
        assert abs(t["ts_pct"] - t["pts"] / (2 * (t["fga"] + 0.44 * t["fta"]))) < 0.001
        assert abs(t["pace"] - 240 * possessions / t["min"]) < 0.1


def test_the_full_regular_season_has_1230_games(db_url, fixtures_dir):
    from fieldhouse.sources.http.response import Response
    from fieldhouse.sources.replay import ingest

    body = (fixtures_dir / "nba" / "leaguegamelog" / "leaguegamelog_T_2018-19_regular_season_full.json").read_bytes()
    import json
    from datetime import UTC, datetime

    response = Response(source="nba", endpoint="leaguegamelog",
                        params={"PlayerOrTeam": "T", "Season": "2018-19", "SeasonType": "Regular Season"},
                        body=body, data=json.loads(body), captured_at=datetime(2019, 4, 11, tzinfo=UTC))
    with fieldhouse.connect(db_url) as store:
        results = ingest(store, response).results
        assert results["nba.games"].inserted == 1230
        assert results["nba.team_game_stats"].inserted == 2460
        games = store.rows(tables()["nba.games"])
    assert len(games) == 1230
    assert all(g["season_type"] == "regular" and g["home_team_id"] != g["away_team_id"] for g in games)
    assert sum(g["winner_team_id"] == g["home_team_id"] for g in games) == 729  # 2018-19 home wins
