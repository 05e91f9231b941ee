"""``fieldhouse demo``: the README's main command, offline on SQLite, through the real NBA
sync path over the bundled archive."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from fieldhouse.cli import app

runner = CliRunner()


def test_demo_syncs_the_bundled_playoffs_and_a_second_run_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(app, ["demo", "nba", "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["status"] == "success"
    assert report["http_calls"] == 0  # offline
    inserted = {name: counts["inserted"] for name, counts in report["tables"].items()}
    assert inserted == {"nba.games": 82, "nba.team_game_stats": 164, "nba.player_game_stats": 1761,
                        "nba.players": 5103, "nba.teams": 30}
    assert (tmp_path / "fieldhouse.db").exists()  # the SQLite default in the current folder

    second = json.loads(runner.invoke(app, ["demo", "nba", "--json"]).stdout)
    assert second["status"] == "success"
    for counts in second["tables"].values():
        assert counts["inserted"] == counts["updated"] == counts["stale"] == counts["rejected"] == 0


def test_demo_prints_the_finals(tmp_path):
    result = runner.invoke(app, ["demo", "nba", "--db", f"sqlite:///{tmp_path / 'x.db'}"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "0041800406" in result.output and "110-114" in result.output  # Game 6, Toronto wins


def test_bad_database_url_is_one_sentence_and_exit_2(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fieldhouse", "demo", "--db", "sqlite://x.db"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2  # bad usage
    assert "three slashes" in proc.stderr
    assert "Traceback" not in proc.stderr
