"""The shrink guard: a well-formed response far smaller than the previous capture of the
same request (empty, or under FIELDHOUSE_SHRINK_MIN_FRACTION of it) is suspect: its unit
fails with the reason and a dead letter, the body is kept in fieldhouse_raw_suspect but not
applied; --accept-shrink or resolving the dead letter applies it on purpose."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import fieldhouse
from fieldhouse import sync_nba
from fieldhouse.cli import app
from fieldhouse.runs import deadletters
from fieldhouse.sources.nba.schema import TABLES
from fieldhouse.sources.raw import raw_responses
from fieldhouse.sources.shrink import SUSPECT_TABLE

from .conftest import settings_for, with_rows

runner = CliRunner()
ALL_TIME = "commonallplayers_2025-26_all_time_docs_sample.json"


def _players(fixtures_dir: Path) -> dict:
    return json.loads((fixtures_dir / "nba" / "commonallplayers" / ALL_TIME).read_text())


def _serve_players(server, payload) -> None:  # more specific than the conftest route: wins
    server.add("/stats/commonallplayers", payload, match={"IsOnlyCurrentSeason": "0", "LeagueID": "00"})


def _player_rows(url):
    with fieldhouse.connect(url) as store:
        return store.rows(TABLES["nba.players"])


def test_an_empty_player_list_is_suspect_and_not_applied(db_url, nba_server, fixtures_dir):
    settings = settings_for(db_url, nba_server)
    assert sync_nba(settings, ["2018-19"], ["playoffs"], full=True).status == "success"
    before = _player_rows(db_url)
    full = _players(fixtures_dir)
    _serve_players(nba_server, with_rows(full, []))
    report = sync_nba(settings, ["2018-19"], ["playoffs"], full=True)
    assert report.status == "partial" and report.exit_code == 3
    [players] = [u for u in report.units if u.key == "nba/players"]
    assert players.status == "failed"
    assert "suspect response, 0 records where the previous capture" in players.error
    assert f"had {len(full['resultSets'][0]['rowSet']):,}" in players.error
    assert _player_rows(db_url) == before  # nobody marked inactive
    with fieldhouse.connect(db_url) as store:
        assert all(r.data["resultSets"][0]["rowSet"] for r in raw_responses(store, endpoint="commonallplayers"))
        [kept] = store.rows(SUSPECT_TABLE)
        [letter] = deadletters.list_letters(store)
    assert kept["records"] == 0 and kept["status"] == "suspect"
    assert letter["unit_key"] == "nba/players" and letter["raw_ref"]["table"] == SUSPECT_TABLE.name
    assert letter["raw_ref"]["content_hash"] == kept["content_hash"]


def test_a_shrink_under_the_fraction_is_suspect_and_above_it_is_not(db_url, nba_server, fixtures_dir):
    settings = settings_for(db_url, nba_server)
    sync_nba(settings, ["2018-19"], ["playoffs"], full=True)
    full = _players(fixtures_dir)
    rows = full["resultSets"][0]["rowSet"]
    _serve_players(nba_server, with_rows(full, rows[: len(rows) * 4 // 10]))  # 40 %
    shrunk = sync_nba(settings, ["2018-19"], ["playoffs"], full=True)
    assert "under 50% of them" in next(u.error for u in shrunk.units if u.key == "nba/players")
    nba_server.routes[-1].body = json.dumps(with_rows(full, rows[: len(rows) * 6 // 10])).encode()  # 60 %
    fine = sync_nba(settings, ["2018-19"], ["playoffs"], full=True)
    assert fine.status == "success", fine.as_dict()["units"]  # and it closed the dead letter
    strict = settings.model_copy(update={"shrink_min_fraction": 0.9})
    nba_server.routes[-1].body = json.dumps(with_rows(full, rows[: len(rows) * 5 // 10])).encode()  # 50 % of 60 %
    assert sync_nba(strict, ["2018-19"], ["playoffs"], full=True).status == "partial"


def test_accept_shrink_applies_it_on_purpose(db_url, nba_server, fixtures_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"FIELDHOUSE_DATABASE_URL": db_url, "FIELDHOUSE_NBA__BASE_URL": nba_server.url("/stats"),
           "FIELDHOUSE_NBA__MIN_INTERVAL": "0", "FIELDHOUSE_NBA__JITTER": "0", "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "1",
           "FIELDHOUSE_LOG_FILE": ""}
    args = ["sync", "nba", "--season", "2018-19", "--season-type", "playoffs", "--full", "--json"]
    assert runner.invoke(app, args, env=env).exit_code == 0
    full = _players(fixtures_dir)
    few = full["resultSets"][0]["rowSet"][:3]
    _serve_players(nba_server, with_rows(full, few))
    assert runner.invoke(app, args, env=env).exit_code == 3
    accepted = runner.invoke(app, [*args, "--accept-shrink"], env=env)
    assert accepted.exit_code == 0, accepted.output
    report = json.loads(accepted.stdout)
    assert report["dead_letters"]["closed"] == ["nba/players"]
    with fieldhouse.connect(db_url) as store:
        newest = max(raw_responses(store, endpoint="commonallplayers"), key=lambda r: r.captured_at)
    assert newest.data["resultSets"][0]["rowSet"] == few  # now the newest capture


def test_resolving_the_dead_letter_applies_the_kept_response(db_url, nba_server, fixtures_dir):
    settings = settings_for(db_url, nba_server)
    sync_nba(settings, ["2018-19"], ["playoffs"], full=True)
    full = _players(fixtures_dir)
    few = full["resultSets"][0]["rowSet"][:3]
    _serve_players(nba_server, with_rows(full, few))
    sync_nba(settings, ["2018-19"], ["playoffs"], full=True)
    with fieldhouse.connect(db_url) as store:
        [letter] = deadletters.list_letters(store)
    result = runner.invoke(app, ["deadletters", "resolve", letter["id"], "--db", db_url, "--json"],
                           env={"FIELDHOUSE_LOG_FILE": ""})
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    assert shown["status"] == "resolved"
    assert shown["applied"]["nba.players"]["updated"] > 0  # the kept response was mapped
    with fieldhouse.connect(db_url) as store:
        [kept] = store.rows(SUSPECT_TABLE)
        newest = max(raw_responses(store, endpoint="commonallplayers"), key=lambda r: r.captured_at)
    assert kept["status"] == "applied" and newest.content_hash == kept["content_hash"]
