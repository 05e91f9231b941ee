"""Arguments no sync can honour exit 2 before any unit exists: nothing is recorded, no
dead letter is opened, no request is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fieldhouse import sync_nba
from fieldhouse.cli import app
from fieldhouse.errors import ConfigError
from fieldhouse.settings import Settings

runner = CliRunner()


def _archive(tmp_path: Path) -> Path:
    """An archive whose newest NBA capture is 2019-06-14 (only its index is read here)."""
    root = tmp_path / "archive"
    root.mkdir()
    entry = {"source": "nba", "endpoint": "leaguegamelog", "params": {"Season": "2018-19"},
             "captured_at": "2019-06-14T12:00:00+00:00", "content_hash": "0" * 64, "size": 2,
             "file": "nba/leaguegamelog/x.json.gz"}
    (root / "index.jsonl").write_text(json.dumps(entry) + "\n")
    return root


BAD = {
    "a season before the league": (["sync", "nba", "--season", "1850-51"], "before the NBA's first season"),
    "a season years ahead": (["sync", "nba", "--season", "2099-00"], "too far ahead"),
    "a backfill reaching back too far": (["backfill", "nba", "--seasons", "1944-45..1947-48"],
                                         "before the NBA's first season"),
    "negative safety days": (["sync", "nba", "--season", "2018-19", "--safety-days", "-1"], "--safety-days -1"),
    "an as-of before the league": (["sync", "nba", "--season", "2018-19", "--as-of", "1900-01-01"],
                                   "--as-of 1900-01-01 is outside the data"),
    "an as-of in the future": (["sync", "nba", "--season", "2018-19", "--as-of", "2999-01-01"],
                               "--as-of 2999-01-01 is outside the data"),
    "an as-of after the archive": (["sync", "nba", "--season", "2018-19", "--as-of", "2020-01-01", "--archive", "{archive}"],
                                   "the archive's newest capture"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_argument_exits_2_and_records_nothing(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    args, message = BAD[case]
    if "{archive}" in args:
        archive = str(_archive(tmp_path))
        args = [archive if a == "{archive}" else a for a in args]
    db = tmp_path / "fh.db"
    result = runner.invoke(app, [*args, "--db", f"sqlite:///{db}"],
                           env={"FIELDHOUSE_NBA_BASE_URL": "http://127.0.0.1:9/stats", "FIELDHOUSE_LOG_FILE": ""})
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not db.exists()  # no run, no unit, no dead letter: the database was never opened


def test_the_python_api_refuses_the_same_arguments(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'fh.db'}")
    with pytest.raises(ConfigError, match="before the NBA's first season"):
        sync_nba(settings, ["1850-51"], ["regular"])
    assert not (tmp_path / "fh.db").exists()


def test_the_first_and_the_next_season_are_accepted(tmp_path):
    from datetime import date

    from fieldhouse.sources.nba.seasons import check_arguments

    check_arguments(["1946-47", "2026-27", "2027-28"], as_of=date(1946, 11, 1), safety_days=0,
                    today=date(2026, 12, 1))
    with pytest.raises(ConfigError, match="too far ahead"):
        check_arguments(["2028-29"], as_of=None, safety_days=0, today=date(2026, 12, 1))
