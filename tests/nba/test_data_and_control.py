"""An NBA sync over two databases (SPEC-capabilities.md): the source's tables in the data
store, the ledger, watermarks, dead letters and raw zone in the control store."""

from __future__ import annotations

import fieldhouse
from fieldhouse import connect
from fieldhouse.query import control_tables
from fieldhouse.runs import ledger
from fieldhouse.sources.raw import raw_count
from fieldhouse.sources.watermarks import get_watermark

from .conftest import game_log, route_game_log, settings_for

NBA = ("nba.teams", "nba.players", "nba.games", "nba.team_game_stats", "nba.player_game_stats")


def _rows(url: str, *, versions: bool = True) -> dict[str, list[dict]]:
    tables = fieldhouse.get_source("nba").tables()
    with connect(url) as store:
        return {name: [{k: v for k, v in r.items() if versions or k != "captured_at"} for r in store.rows(tables[name])]
                for name in NBA if store.table_exists(tables[name])}


def test_an_nba_sync_over_two_databases_puts_each_table_where_it_belongs(tmp_path, nba_server, fixtures_dir):
    one, data, control = (f"sqlite:///{tmp_path / name}.db" for name in ("one", "data", "control"))
    baseline = fieldhouse.sync("nba", settings_for(one, nba_server), season="2018-19", season_type="playoffs")
    report = fieldhouse.sync("nba", settings_for(data, nba_server), season="2018-19", season_type="playoffs",
                             data=data, control=control)
    assert report.status == baseline.status == "success"
    assert report.counts() == baseline.counts()
    assert _rows(data, versions=False) == _rows(one, versions=False) and len(_rows(data)["nba.games"]) == 82
    with connect(data) as d, connect(control) as c:
        assert not any(d.table_exists(t) for t in control_tables())  # nothing of fieldhouse's own in data
        assert not any(c.table_exists(t) for t in fieldhouse.get_source("nba").tables().values())
        assert ledger.get_run(c, report.run_id)["status"] == "success"
        assert raw_count(c) == 3 and str(get_watermark(c, "nba", "2018-19/playoffs")) == "2019-06-13"
    # the next run reads its watermark from the control store: only the window is asked for
    for mode in ("T", "P"):
        route_game_log(nba_server, game_log(fixtures_dir, f"leaguegamelog_{mode}_2018-19_playoffs_full.json"),
                       season="2018-19", season_type="Playoffs", mode=mode, date_from="06/11/2019")
    again = fieldhouse.sync("nba", settings_for(data, nba_server), season="2018-19", season_type="playoffs",
                            data=data, control=control)
    assert again.status == "success" and all(r.inserted == 0 for r in again.tables.values())
    assert [r.query.get("DateFrom") for r in nba_server.requests if r.path == "/stats/leaguegamelog"][-1] == "06/11/2019"
    # and the raw zone in the control store rebuilds the data store from nothing
    rebuilt = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    with connect(rebuilt) as empty, connect(control) as c:
        assert fieldhouse.replay(empty, control=c).ok
    for name, rows in _rows(rebuilt).items():
        assert rows == _rows(data)[name], name
