"""The alerts over ledgers that real NBA syncs made (the recorded 2018-19 playoffs served by
the fake stats server): quiet after a good sync; freshness and source_overdue as time goes
by; schema_drift when the API renames a field the mapping reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import fieldhouse
from fieldhouse import connect, query
from fieldhouse.runs import ledger
from fieldhouse.settings import AlertSettings
from fieldhouse.testing.fakeserver import FakeStatsServer

from ..nba.conftest import game_log, nba_server, route_game_log, serve_api_check, settings_for  # noqa: F401

SOURCES = [fieldhouse.get_source("nba")]


def evaluate(url, now, **kw):
    with connect(url) as store:
        return query.alerts(store, store, SOURCES, settings=AlertSettings(**kw), now=now)


def renamed_server(fixtures_dir) -> FakeStatsServer:
    """The same playoffs, but the player log's TOV column now comes as TO."""
    server = FakeStatsServer()
    serve_api_check(server, fixtures_dir)
    team = game_log(fixtures_dir, "leaguegamelog_T_2018-19_playoffs_full.json")
    player = game_log(fixtures_dir, "leaguegamelog_P_2018-19_playoffs_full.json")
    headers = player["resultSets"][0]["headers"]
    player["resultSets"][0]["headers"] = ["TO" if h == "TOV" else h for h in headers]
    route_game_log(server, team, season="2018-19", season_type="Playoffs", mode="T")
    route_game_log(server, player, season="2018-19", season_type="Playoffs", mode="P")
    server.add_file("/stats/commonallplayers",
                    fixtures_dir / "nba" / "commonallplayers" / "commonallplayers_2025-26_all_time_docs_sample.json",
                    match={"IsOnlyCurrentSeason": "0"})
    return server


def test_alerts_over_real_nba_syncs(db_url, nba_server, fixtures_dir, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("FIELDHOUSE_LOG_FILE", str(tmp_path / "log"))
    first = fieldhouse.sync("nba", settings_for(db_url, nba_server), season="2018-19", season_type="playoffs")
    assert first.status == "success" and first.http_calls > 0
    now = datetime.now(UTC)
    assert evaluate(db_url, now + timedelta(seconds=1)) == []
    with connect(db_url) as store:
        filled = ledger.get_run(store, first.run_id)["filled"]["nba.player_game_stats"]
    assert filled["rows"] == 1761 and filled["columns"]["tov"] == 1761

    later = evaluate(db_url, now + timedelta(hours=2.5))  # polled, then nothing for 2.5 hours
    assert {a.name for a in later} == {"freshness"}
    assert {a.table for a in later} >= {"nba.games", "nba.player_game_stats"}
    assert [a.name for a in evaluate(db_url, now + timedelta(hours=27))] == ["source_overdue"]

    with renamed_server(fixtures_dir) as server:
        drifted = fieldhouse.sync("nba", settings_for(db_url, server), season="2018-19", season_type="playoffs",
                                  full=True)
    assert drifted.status == "success"  # nothing failed: the column is silently NULL
    alerts = evaluate(db_url, datetime.now(UTC) + timedelta(seconds=1), volume_min_runs=1)
    drift = [a for a in alerts if a.name == "schema_drift"]
    assert [(a.table, a.run_id) for a in drift] == [("nba.player_game_stats", drifted.run_id)]
    assert "nba.player_game_stats.tov is NULL in 100% of the 1761 rows" in drift[0].message
