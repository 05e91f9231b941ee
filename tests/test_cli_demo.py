"""``fieldhouse demo``: the README's main command, offline on SQLite."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fieldhouse.cli import app

runner = CliRunner()


def test_demo_loads_the_bundled_playoffs_and_a_second_run_changes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(app, ["demo", "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.output)
    assert report["rows"] == 164  # 82 playoff games, two teams each
    steps = {s["step"]: s for s in report["steps"]}
    assert steps["a malformed row"]["rejected"] == 1
    assert steps["the whole season again"]["unchanged"] == 164
    assert (tmp_path / "fieldhouse.db").exists()  # the SQLite default in the current folder

    second = json.loads(runner.invoke(app, ["demo", "--json"]).output)
    assert second["rows"] == 164
    assert all(s["inserted"] == s["updated"] == 0 for s in second["steps"])


def test_demo_prints_tables(tmp_path):
    result = runner.invoke(app, ["demo", "--db", f"sqlite:///{tmp_path / 'x.db'}"], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "the whole season again" in result.output
    assert "MIL vs. DET" in result.output


def test_bad_database_url_is_one_sentence_and_exit_1(tmp_path):
    import sys
    from subprocess import run

    proc = run([sys.executable, "-m", "fieldhouse", "demo", "--db", "sqlite://x.db"], capture_output=True,
               text=True, cwd=tmp_path, timeout=60)
    assert proc.returncode == 1
    assert "three slashes" in proc.stderr
    assert "Traceback" not in proc.stderr
