"""Settings: a source's own settings are nested (``FIELDHOUSE_NBA__BASE_URL``); the flat names
of the previous release (``FIELDHOUSE_NBA_BASE_URL``, ``Settings(nba_base_url=...)``) are
still read, with a warning, and the new names win."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fieldhouse import DeprecatedSettingWarning, Settings
from fieldhouse.cli import app
from fieldhouse.sources.nba.settings import NBASettings


def nba(settings: Settings) -> NBASettings:
    return settings.for_source("nba", NBASettings)


def test_nested_variables_are_read(monkeypatch):
    monkeypatch.setenv("FIELDHOUSE_NBA__BASE_URL", "http://127.0.0.1:9/stats")
    monkeypatch.setenv("FIELDHOUSE_NBA__MIN_INTERVAL", "0.5")
    got = nba(Settings())
    assert (got.base_url, got.min_interval, got.jitter) == ("http://127.0.0.1:9/stats", 0.5, 0.3)


def test_the_old_flat_variables_are_still_read_with_a_warning(monkeypatch):
    monkeypatch.setenv("FIELDHOUSE_NBA_BASE_URL", "http://old/stats")
    monkeypatch.setenv("FIELDHOUSE_NBA_JITTER", "0")
    with pytest.warns(DeprecatedSettingWarning) as warned:
        got = nba(Settings())
    assert (got.base_url, got.jitter) == ("http://old/stats", 0.0)
    assert sorted(str(w.message).split(" is ")[0] for w in warned) == ["FIELDHOUSE_NBA_BASE_URL", "FIELDHOUSE_NBA_JITTER"]
    assert "rename it FIELDHOUSE_NBA__BASE_URL" in str(warned[0].message) + str(warned[1].message)
    monkeypatch.setenv("FIELDHOUSE_NBA__BASE_URL", "http://new/stats")
    with pytest.warns(DeprecatedSettingWarning):
        assert nba(Settings()).base_url == "http://new/stats"  # the new name wins


def test_values_given_in_python_win_and_old_keywords_still_work(monkeypatch):
    monkeypatch.setenv("FIELDHOUSE_NBA__BASE_URL", "http://env/stats")
    assert nba(Settings(nba={"base_url": "http://given/stats"})).base_url == "http://given/stats"
    assert nba(Settings(nba=NBASettings(min_interval=4))).min_interval == 4
    with pytest.warns(DeprecatedSettingWarning, match=r"Settings\(nba_min_interval=...\) is deprecated"):
        assert nba(Settings(nba_min_interval=3)).min_interval == 3


def test_a_bad_source_setting_names_the_setting(monkeypatch):
    from pydantic import ValidationError

    monkeypatch.setenv("FIELDHOUSE_NBA__MIN_INTERVAL", "-1")
    with pytest.raises(ValidationError, match="min_interval"):
        nba(Settings())


def test_the_cli_reads_the_old_names_for_one_release(sqlite_url, nba_server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"FIELDHOUSE_DATABASE_URL": sqlite_url, "FIELDHOUSE_NBA_BASE_URL": nba_server.url("/stats"),
           "FIELDHOUSE_NBA_MIN_INTERVAL": "0", "FIELDHOUSE_NBA_JITTER": "0", "FIELDHOUSE_LOG_FILE": ""}
    with pytest.warns(DeprecatedSettingWarning):
        result = CliRunner().invoke(app, ["sync", "nba", "--season", "2018-19", "--season-type", "playoffs",
                                          "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["tables"]["nba.games"]["inserted"] == 82
