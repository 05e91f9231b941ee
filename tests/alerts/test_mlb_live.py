"""Freshness over a real MLB sync of a recorded Live feed: the source's ``live`` hook reads
from the data that a game is on, so its tables must be fresh even when nothing polls."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import fieldhouse
from fieldhouse import connect, query
from fieldhouse.settings import AlertSettings, Settings

from ..mlb.helpers import FIXTURES, LIVE_717209

MLB = [fieldhouse.get_source("mlb")]


def evaluate(url, now):
    with connect(url) as store:
        return query.alerts(store, store, MLB, settings=AlertSettings(), now=now)


def test_a_live_game_whose_data_stopped_moving(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDHOUSE_LOG_FILE", str(tmp_path / "log"))
    folder = tmp_path / "feeds"
    folder.mkdir()
    [path] = [p for p in (FIXTURES / "liveGameV1").iterdir() if p.name.startswith(LIVE_717209 + ".")]
    shutil.copy(path, folder / path.name)
    report = fieldhouse.sync("mlb", Settings(database_url=db_url), from_files=str(folder))
    assert report.status == "success" and report.http_calls == 0  # from files: the ledger says nothing is live
    captured = datetime(2023, 7, 30, 1, 8, 47, tzinfo=UTC)  # the feed's own time stamp, its rows' version

    assert evaluate(db_url, datetime(2023, 7, 30, 2, 0, tzinfo=UTC)) == []  # 51 minutes later: fresh
    stuck = evaluate(db_url, datetime(2023, 7, 30, 5, 0, tzinfo=UTC))  # the game is Live in the data, 4 h on
    assert stuck and {a.name for a in stuck} == {"freshness"}
    games = next(a for a in stuck if a.table == "mlb.games")
    assert games.value == (datetime(2023, 7, 30, 5, 0, tzinfo=UTC) - captured).total_seconds()
    assert "its own live hook says so" in games.message
    assert evaluate(db_url, datetime(2023, 8, 5, tzinfo=UTC)) == []  # a week on: no game of that day is on
