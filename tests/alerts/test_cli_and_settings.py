"""``fieldhouse status`` shows the active alerts (text and JSON, exit code unchanged), and
the alert settings read FIELDHOUSE_ALERTS__* with clear errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fieldhouse import connect
from fieldhouse.errors import ConfigError
from fieldhouse.settings import AlertSettings, Settings, get_settings

from .conftest import RowsUnit, healthy, rows, run

runner = CliRunner()


def test_status_shows_active_alerts(sqlite_url, settings, tmp_path):
    env = {"FIELDHOUSE_LOG_FILE": str(tmp_path / "log")}
    with connect(sqlite_url) as store:
        healthy(store, settings, times=1)
    quiet = runner.invoke(app_(), ["status", "--db", sqlite_url], env=env)
    assert quiet.exit_code == 0 and "alerts: none" in quiet.output
    with connect(sqlite_url) as store:
        partial = run(store, settings, RowsUnit("fake/a", rows(3)), RowsUnit("fake/b", [], fail=True))
    shown = runner.invoke(app_(), ["status", "--db", sqlite_url], env=env)
    assert shown.exit_code == 0, shown.output  # alerts do not change the exit code
    assert "alerts: 1" in shown.output and "warning run_failed: the last fake run" in shown.output
    assert f"/api/v1/runs/{partial.run_id}" in shown.output
    data = json.loads(runner.invoke(app_(), ["status", "--db", sqlite_url, "--json"], env=env).stdout)
    [alert] = data["alerts"]
    assert (alert["name"], alert["severity"], alert["run_id"]) == ("run_failed", "warning", partial.run_id)
    other = json.loads(runner.invoke(app_(), ["status", "--db", sqlite_url, "--json", "--source", "nba"],
                                     env=env).stdout)
    assert other["alerts"] == []  # --source filters them


def test_a_threshold_from_the_environment_changes_what_status_shows(sqlite_url, settings, tmp_path):
    env = {"FIELDHOUSE_LOG_FILE": str(tmp_path / "log")}
    with connect(sqlite_url) as store:
        healthy(store, settings, times=1)
    env["FIELDHOUSE_ALERTS__SOURCE_INTERVALS"] = '{"fake": 0.001}'
    shown = runner.invoke(app_(), ["status", "--db", sqlite_url], env=env)
    assert "source_overdue" in shown.output
    env["FIELDHOUSE_ALERTS__STALE_RATE"] = "2"
    bad = runner.invoke(app_(), ["status", "--db", sqlite_url], env=env)
    assert bad.exit_code == 2
    assert "FIELDHOUSE_ALERTS__STALE_RATE='2' is not valid: it accepts a number greater than 0 up to 1" in bad.output


def test_alert_settings_defaults_environment_and_python(monkeypatch):
    defaults = AlertSettings()
    assert (defaults.expected_interval, defaults.conflict_sample, defaults.volume_ratio) == (26 * 3600, 1000, 0.5)
    monkeypatch.setenv("FIELDHOUSE_ALERTS__SOURCE_INTERVALS", '{"example": 3600}')
    monkeypatch.setenv("FIELDHOUSE_ALERTS__VOLUME_RUNS", "5")
    settings = Settings(alerts={"volume_ratio": 0.25})
    assert settings.alerts.volume_ratio == 0.25 and settings.alerts.volume_runs == 5  # Python wins, env fills in
    assert settings.alerts.interval("example") == 3600 and settings.alerts.interval("other") == 26 * 3600
    with pytest.raises(ConfigError, match="the volume_ratio setting='3' is not valid"):
        get_settings(alerts={"volume_ratio": 3})


def app_():
    from fieldhouse.cli import app

    return app
