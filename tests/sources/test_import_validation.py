"""``archive import`` checks every body with its source's validator (the fetcher's): a body
a sync refuses is not imported (exit 3, named); ``replay`` exits 3 when rows were rejected."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import UTC, datetime

from typer.testing import CliRunner

import fieldhouse
from fieldhouse.cli import app
from fieldhouse.sources.archive import read_index
from fieldhouse.sources.http.response import content_hash
from fieldhouse.sources.nba.demo import bundled_archive
from fieldhouse.sources.raw import RawResponse, land, raw_count

runner = CliRunner()


def _add_body(archive, body: bytes, season: str) -> None:
    digest = content_hash(body)
    rel = f"nba/leaguegamelog/{digest}.json.gz"
    (archive / rel).write_bytes(gzip.compress(body))
    entry = {"source": "nba", "endpoint": "leaguegamelog", "captured_at": "2019-07-01T00:00:00+00:00",
             "params": {"Season": season, "SeasonType": "Playoffs", "PlayerOrTeam": "T"},
             "content_hash": digest, "size": len(body), "file": rel}
    with (archive / "index.jsonl").open("a") as fh:
        fh.write(json.dumps(entry) + "\n")


def test_import_refuses_the_bodies_a_sync_refuses(tmp_path):
    archive = tmp_path / "archive"
    with bundled_archive() as bundled:
        shutil.copytree(bundled, archive)
    good = len(read_index(archive))
    _add_body(archive, b"{}", "2010-11")  # the hash matches: only validation can catch it
    _add_body(archive, json.dumps({"resultSets": [{"name": "x", "headers": ["A", "B"], "rowSet": [[1]]}]}).encode(),
              "2011-12")
    url = f"sqlite:///{tmp_path / 'fh.db'}"
    result = runner.invoke(app, ["archive", "import", str(archive), "--db", url, "--json"],
                           env={"FIELDHOUSE_LOG_FILE": ""})
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["added"] == good
    reasons = [r["reason"] for r in report["rejected"]]
    assert len(reasons) == 2
    assert "empty {}" in reasons[0] and "row 0 has 1 values for 2 headers" in reasons[1]
    with fieldhouse.connect(url) as store:
        assert raw_count(store) == good


def test_replay_exits_3_when_it_rejected_rows(tmp_path, fixtures_dir):
    data = json.loads((fixtures_dir / "nba" / "leaguegamelog" / "leaguegamelog_T_2018-19_playoffs_full.json").read_text())
    result = data["resultSets"][0]
    result["rowSet"][0][result["headers"].index("GAME_DATE")] = "not a date"
    body = json.dumps(data).encode()
    url = f"sqlite:///{tmp_path / 'fh.db'}"
    with fieldhouse.connect(url) as store:
        land(store, RawResponse("nba", "leaguegamelog", {"PlayerOrTeam": "T", "Season": "2018-19",
                                                          "SeasonType": "Playoffs"},
                                datetime(2019, 7, 1, tzinfo=UTC), content_hash(body), body))
    out = runner.invoke(app, ["replay", "--db", url, "--json"], env={"FIELDHOUSE_LOG_FILE": ""})
    assert out.exit_code == 3, out.output
    tables = json.loads(out.stdout)["tables"]
    assert sum(t["rejected"] for t in tables.values()) >= 1
    assert tables["nba.team_game_stats"]["inserted"] >= 162  # the other rows landed
