"""Player deactivation, and that an older snapshot loaded after a newer one changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import fieldhouse
from fieldhouse.sources.http.response import Response
from fieldhouse.sources.nba.schema import tables
from fieldhouse.sources.replay import ingest

from .conftest import game_log, with_rows

T1, T2 = datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 8, tzinfo=UTC)


def _response(endpoint: str, params: dict, payload: dict, captured_at: datetime) -> Response:
    body = json.dumps(payload).encode()
    return Response(source="nba", endpoint=endpoint, params=params, body=body, data=payload, captured_at=captured_at)


def _player_list(fixtures_dir) -> dict:
    path = fixtures_dir / "nba" / "commonallplayers" / "commonallplayers_2025-26_all_time_docs_sample.json"
    return json.loads(path.read_text())


def test_a_player_who_drops_out_of_the_list_becomes_inactive_and_is_never_deleted(db_url, fixtures_dir):
    full = _player_list(fixtures_dir)
    result = full["resultSets"][0]
    status_at = result["headers"].index("ROSTERSTATUS")
    active = [r for r in result["rowSet"] if r[status_at] == 1]
    dropped_id = active[0][0]
    shorter = with_rows(full, [r for r in result["rowSet"] if r[0] != dropped_id])
    params = {"IsOnlyCurrentSeason": "0", "LeagueID": "00", "Season": "2025-26"}
    players = tables()["nba.players"]
    with fieldhouse.connect(db_url) as store:
        ingest(store, _response("commonallplayers", params, full, T1))
        assert store.rows(players, where={"player_id": dropped_id})[0]["is_active"] is True
        results = ingest(store, _response("commonallplayers", params, shorter, T2)).results
        assert results["nba.players"].updated - results["nba.players"].refreshed == 1  # one value changed
        row = store.rows(players, where={"player_id": dropped_id})[0]
        assert row["is_active"] is False and row["captured_at"] == T2
        assert store.count(players) == len(result["rowSet"])  # never deleted
        # The older list, replayed later, cannot make the player active again.
        ingest(store, _response("commonallplayers", {**params, "x": "replayed"}, full, T1))
        assert store.rows(players, where={"player_id": dropped_id})[0]["is_active"] is False
        assert sum(p["is_active"] for p in store.rows(players)) == len(active) - 1


def test_an_older_snapshot_loaded_after_a_newer_one_leaves_the_newer_values(db_url, fixtures_dir):
    older = game_log(fixtures_dir, "leaguegamelog_T_2018-19_playoffs_full.json")
    result = older["resultSets"][0]
    pts_at, pm_at = result["headers"].index("PTS"), result["headers"].index("PLUS_MINUS")
    corrected_rows = [list(r) for r in result["rowSet"]]
    for row in corrected_rows:  # the newer snapshot corrects every score by one point
        row[pts_at] += 1
        row[pm_at] += 0
    newer = with_rows(older, corrected_rows)
    params = {"PlayerOrTeam": "T", "Season": "2018-19", "SeasonType": "Playoffs"}
    with fieldhouse.connect(db_url) as store:
        ingest(store, _response("leaguegamelog", params, newer, T2))
        results = ingest(store, _response("leaguegamelog", {**params, "DateFrom": ""}, older, T1)).results
        assert results["nba.team_game_stats"].stale == 164
        assert results["nba.games"].stale == 82
        team_rows = store.rows(tables()["nba.team_game_stats"])
        games = store.rows(tables()["nba.games"])
    newer_pts = {(r[result["headers"].index("GAME_ID")], r[result["headers"].index("TEAM_ID")]): r[pts_at]
                 for r in corrected_rows}
    assert {(t["game_id"], t["team_id"]): t["pts"] for t in team_rows} == newer_pts
    assert all(t["captured_at"] == T2 for t in team_rows)
    assert all(g["captured_at"] == T2 for g in games)
