"""``fieldhouse sync nba`` and ``fieldhouse backfill nba`` from the command line."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fieldhouse.cli import app

runner = CliRunner()


def _env(nba_server, db_url):
    return {"FIELDHOUSE_DATABASE_URL": db_url, "FIELDHOUSE_NBA__BASE_URL": nba_server.url("/stats"),
            "FIELDHOUSE_NBA__MIN_INTERVAL": "0", "FIELDHOUSE_NBA__JITTER": "0",
            "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "1", "FIELDHOUSE_LOG_FILE": ""}


def test_sync_json_reports_status_calls_and_counts_per_table(sqlite_url, nba_server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sync", "nba", "--season", "2018-19", "--season-type", "playoffs", "--json"],
                           env=_env(nba_server, sqlite_url))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "success"
    assert report["http_calls"] == 4
    assert report["tables"]["nba.games"] == {"inserted": 82, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0, "deleted": 0}


def test_backfill_isolates_a_failing_season(sqlite_url, nba_server, tmp_path, monkeypatch):
    """2017-18 is not served (the server answers 404): that season type fails, 2018-19 still
    lands, the run is partial (exit 3) and the failure is a dead letter."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["backfill", "nba", "--seasons", "2017-18..2018-19", "--season-type", "playoffs",
                                 "--json"], env=_env(nba_server, sqlite_url))
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "partial"
    units = {u["key"]: u["status"] for u in report["units"]}
    assert units["nba/2017-18/playoffs"] == "failed"
    assert units["nba/2018-19/playoffs"] == "success"
    assert report["tables"]["nba.games"]["inserted"] == 82
    assert report["dead_letters"]["opened"]


def test_a_season_written_as_a_year_is_one_sentence_and_bad_usage(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sync", "nba", "--season", "2018"])
    assert result.exit_code == 2
    assert "write it as 2018-19" in result.output and "did you mean 2018-19" in result.output
    assert "Traceback" not in result.output


def test_a_missing_archive_folder_is_one_sentence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["sync", "nba", "--season", "2018-19", "--archive", str(tmp_path / "nope")])
    assert result.exit_code in (1, 2)
    assert "does not exist" in result.output
    assert "Traceback" not in result.output
