"""``fieldhouse replay`` and ``fieldhouse archive export|import`` from the command line."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import fieldhouse
from fieldhouse.cli import app
from fieldhouse.sources.nba import NBAClient
from fieldhouse.sources.replay import ingest, registry

from .handlers import TEAM_GAMES, league_game_log
from .helpers import drop_table, fetch_log

runner = CliRunner()


@pytest.fixture
def registered():
    with registry.scoped():
        registry.register("nba", "leaguegamelog", league_game_log)
        yield registry


def test_replay_and_archive_round_trip(tmp_path, make_fetcher, clock, registered):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    client = NBAClient(make_fetcher())
    with fieldhouse.connect(url) as store:
        ingest(store, fetch_log(client, "Regular Season"))
        clock.advance(86400 * 3)
        ingest(store, fetch_log(client))
        expected = store.rows(TEAM_GAMES)
    drop_table(url, TEAM_GAMES)

    out = runner.invoke(app, ["replay", "--db", url, "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["responses"] == 2
    assert report["tables"][TEAM_GAMES.name]["inserted"] == 2460 + 164
    since = (clock.utcnow().date()).isoformat()
    out = runner.invoke(app, ["replay", "--db", url, "--source", "nba", "--since", since, "--json"])
    assert json.loads(out.output)["responses"] == 1

    archive = tmp_path / "arch"
    out = runner.invoke(app, ["archive", "export", str(archive), "--db", url, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["added"] == 2
    other = f"sqlite:///{tmp_path / 'b.db'}"
    out = runner.invoke(app, ["archive", "import", str(archive), "--db", other])
    assert out.exit_code == 0, out.output
    assert "2 added" in out.output
    assert runner.invoke(app, ["replay", "--db", other]).exit_code == 0
    with fieldhouse.connect(other) as store:
        assert store.rows(TEAM_GAMES) == expected


def test_bad_arguments_are_one_line_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    out = runner.invoke(app, ["replay", "--db", url, "--since", "yesterday"])
    assert out.exit_code == 2 and "YYYY-MM-DD" in out.output
    out = runner.invoke(app, ["archive", "import", str(tmp_path / "none"), "--db", url])
    assert out.exit_code != 0
    assert "not a fieldhouse archive" in str(out.exception) + out.output
