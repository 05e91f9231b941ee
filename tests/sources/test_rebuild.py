"""An empty database rebuilt with ``archive import`` + ``replay`` holds every table a sync
builds, static data included (nba.teams has no stored response), and passes the audits."""

from __future__ import annotations

from typer.testing import CliRunner

import fieldhouse
from fieldhouse.cli import app
from fieldhouse.sources.nba.demo import bundled_archive
from fieldhouse.sources.nba.schema import TABLES

runner = CliRunner()
ENV = {"FIELDHOUSE_LOG_FILE": ""}


def _tables(url: str) -> dict[str, list]:
    with fieldhouse.connect(url) as store:
        return {name: store.rows(t) if store.table_exists(t) else None for name, t in sorted(TABLES.items())}


def test_import_and_replay_build_what_a_sync_builds(tmp_path):
    synced, rebuilt = (f"sqlite:///{tmp_path / n}" for n in ("synced.db", "rebuilt.db"))
    assert runner.invoke(app, ["demo", "nba", "--db", synced, "--json"], env=ENV).exit_code == 0
    with bundled_archive() as archive:
        imported = runner.invoke(app, ["archive", "import", str(archive), "--db", rebuilt], env=ENV)
    assert imported.exit_code == 0, imported.output
    replayed = runner.invoke(app, ["replay", "--db", rebuilt, "--json"], env=ENV)
    assert replayed.exit_code == 0, replayed.output
    expected, got = _tables(synced), _tables(rebuilt)
    assert len(got["nba.teams"]) == 30
    assert got == expected
    audit = runner.invoke(app, ["audit", "--source", "nba", "--season", "2018-19", "--db", rebuilt, "--json"], env=ENV)
    assert audit.exit_code == 0, audit.output  # no orphan team keys
