"""``fieldhouse demo mlb``: offline, over the real captures bundled in the package: 717209's
Final feed, then its older Live capture (which changes nothing), then its line score;
``fieldhouse demo`` runs NBA and then MLB."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fieldhouse.cli import app

runner = CliRunner()


def _units(report: dict) -> dict[str, dict]:
    return {u["key"].rsplit("/", 1)[-1]: u for u in report["units"]}


def test_the_older_capture_read_after_the_final_one_is_all_stale(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(app, ["demo", "mlb", "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["status"] == "success" and report["http_calls"] == 0
    units = _units(report)
    assert list(units) == ["01_teams_2024.pymlb_envelope.json.gz", "02_feed_717209_final.json.gz",
                           "03_feed_717209_live_older.json.gz", "04_feed_746139_live_newer.json.gz",
                           "05_feed_746139_live_older.json.gz", "06_feed_744914_final.json.gz",
                           "07_feed_745455_final.json.gz"]
    for older in ("03_feed_717209_live_older.json.gz", "05_feed_746139_live_older.json.gz"):
        counts = units[older]["counts"]
        assert counts and all(c["inserted"] == c["updated"] == 0 for c in counts.values()), older
        assert counts["mlb.games"]["stale"] == 1 and counts["mlb.pitches"]["stale"] > 0
    assert report["tables"]["mlb.games"]["inserted"] == 4
    assert report["tables"]["mlb.teams"]["inserted"] == 30

    second = json.loads(runner.invoke(app, ["demo", "mlb", "--json"]).stdout)
    assert second["status"] == "success"
    assert all(c["inserted"] == c["updated"] == 0 for c in second["tables"].values())


def test_the_demo_prints_what_each_file_did_and_the_line_score(tmp_path):
    result = runner.invoke(app, ["demo", "mlb", "--db", f"sqlite:///{tmp_path / 'x.db'}"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()  # not a terminal: plain aligned text
    [older] = [line for line in lines if line.startswith("03_feed_717209_live_older")]
    assert older.split()[1:6] == ["success", "0", "0", "0", "187"]
    assert "Game 717209, 2023-07-29, Final" in result.output
    [texas] = [line for line in lines if line.startswith("TEX ")]
    assert texas.split()[-3:] == ["0", "4", "1"]  # R H E


def test_demo_runs_nba_then_mlb(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    demos = json.loads(result.stdout)["demos"]
    assert [d["source"] for d in demos] == ["nba", "mlb"]
    assert all(d["status"] == "success" and d["http_calls"] == 0 for d in demos)
