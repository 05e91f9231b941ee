"""The conflict log: a run's stale rows (an older batch after a newer one, or a copy beaten
in its own batch) are recorded with the key and both versions, capped per table per run,
and shown by ``fieldhouse runs show RUN_ID --conflicts`` (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from typer.testing import CliRunner

from fieldhouse import connect, query
from fieldhouse.cli import app
from fieldhouse.settings import AlertSettings, Settings

from .conftest import SCORES, RowsUnit, rows, run

runner = CliRunner()
NEW = datetime(2024, 6, 12, 4, 27, 17, tzinfo=UTC)
OLD = NEW - timedelta(minutes=15)


def test_an_older_batch_records_its_stale_rows_with_both_versions(db_url, settings):
    with connect(db_url) as store:
        run(store, settings, RowsUnit("fake/new", rows(10, at=NEW)))
        late = run(store, settings, RowsUnit("fake/old", rows(10, at=OLD)))
        assert late.counts()[SCORES.name]["stale"] == 10
        found = query.conflicts(store, late.run_id)
        assert len(found) == 10
        first = found[0]
        assert (first.run_id, first.table, first.unit_key) == (late.run_id, SCORES.name, "fake/old")
        assert first.key == {"k": "k0"}
        assert (first.incoming_version, first.stored_version) == (OLD.isoformat(), NEW.isoformat())
        assert sorted(c.key["k"] for c in found) == sorted(f"k{i}" for i in range(10))
        assert query.conflict_counts(store, late.run_id) == {SCORES.name: {"stale": 10, "recorded": 10, "omitted": 0}}
        assert [c.key for c in query.conflicts(store, late.run_id, limit=3, offset=2)] == [c.key for c in found[2:5]]
        assert query.conflicts(store, late.run_id, table="other.table") == []


def test_a_copy_beaten_in_its_own_batch_names_the_winning_version(db_url, settings):
    with connect(db_url) as store:
        batch = [*rows(1, at=OLD), *rows(1, at=NEW)]
        report = run(store, settings, RowsUnit("fake/dupes", batch))
        assert report.counts()[SCORES.name]["stale"] == 1
        [conflict] = query.conflicts(store, report.run_id)
        assert (conflict.key, conflict.incoming_version, conflict.stored_version) == (
            {"k": "k0"}, OLD.isoformat(), NEW.isoformat())


def test_the_sample_is_capped_per_table_per_run_and_the_rest_counted(db_url):
    settings = Settings(run_lock_wait=0.2, alerts=AlertSettings(conflict_sample=4))
    with connect(db_url) as store:
        run(store, settings, RowsUnit("fake/new", rows(10, at=NEW)))
        late = run(store, settings, RowsUnit("fake/old1", rows(5, at=OLD)), RowsUnit("fake/old2", rows(5, at=OLD, start=5)))
        assert late.counts()[SCORES.name]["stale"] == 10
        kept = query.conflicts(store, late.run_id, limit=100)
        assert len(kept) == 4 and {c.unit_key for c in kept} == {"fake/old1"}
        assert query.conflict_counts(store, late.run_id) == {SCORES.name: {"stale": 10, "recorded": 4, "omitted": 6}}
        none = Settings(run_lock_wait=0.2, alerts=AlertSettings(conflict_sample=0))
        again = run(store, none, RowsUnit("fake/old3", rows(3, at=OLD)))
        assert query.conflicts(store, again.run_id) == []
        assert query.conflict_counts(store, again.run_id) == {SCORES.name: {"stale": 3, "recorded": 0, "omitted": 3}}


def test_runs_show_conflicts_prints_them(db_url, settings, tmp_path):
    with connect(db_url) as store:
        run(store, settings, RowsUnit("fake/new", rows(3, at=NEW)))
        late = run(store, settings, RowsUnit("fake/old", rows(3, at=OLD)))
    env = {"FIELDHOUSE_LOG_FILE": str(tmp_path / "log")}
    shown = runner.invoke(app, ["runs", "show", late.run_id[:-2], "--conflicts", "--db", db_url], env=env)
    assert shown.exit_code == 0, shown.output
    assert f"{SCORES.name}: 3 stale rows, 3 recorded" in shown.output
    assert "k=k0" in shown.output and OLD.isoformat() in shown.output and NEW.isoformat() in shown.output
    assert "\x1b[" not in shown.output  # piped: plain text
    as_json = json.loads(runner.invoke(app, ["runs", "show", late.run_id, "--conflicts", "--json", "--db", db_url],
                                       env=env).stdout)
    assert as_json["counts"] == {SCORES.name: {"stale": 3, "recorded": 3, "omitted": 0}}
    assert as_json["conflicts"][0]["stored_version"] == NEW.isoformat()
    wrong = runner.invoke(app, ["runs", "show", late.run_id, "--table", SCORES.name, "--db", db_url], env=env)
    assert wrong.exit_code == 2 and "--table goes with --conflicts" in wrong.output


def test_the_mlb_demo_logs_the_older_live_feed_as_conflicts(sqlite_url, tmp_path):
    """A real sync over real recorded feeds: game 717209's Live capture after its Final."""
    env = {"FIELDHOUSE_LOG_FILE": str(tmp_path / "log")}
    assert runner.invoke(app, ["demo", "mlb", "--db", sqlite_url, "--json"], env=env).exit_code == 0
    with connect(sqlite_url) as store:
        [mlb] = query.runs(store, source="mlb")
        counts = query.conflict_counts(store, mlb.run_id)
        games = [c for c in query.conflicts(store, mlb.run_id, table="mlb.games", limit=10)]
    assert counts["mlb.games"] == {"stale": 2, "recorded": 2, "omitted": 0}
    by_game = {c.key["game_pk"]: c for c in games}
    assert by_game[717209].incoming_version < by_game[717209].stored_version
    shown = runner.invoke(app, ["runs", "show", mlb.run_id, "--conflicts", "--table", "mlb.games", "--db", sqlite_url],
                          env=env).output
    assert "mlb.games: 2 stale rows, 2 recorded" in shown and "game_pk=717209" in shown
    assert "mlb.batting" not in shown
    capped = runner.invoke(app, ["runs", "show", mlb.run_id, "--conflicts", "--limit", "2", "--db", sqlite_url],
                           env=env).output
    assert "(the first 2 of 775: --limit shows more)" in capped


def test_a_unit_that_fails_after_writing_records_no_conflict(db_url, settings):
    """The conflicts commit with the unit's ledger row and data: all or nothing."""

    class FailsAfterWrite(RowsUnit):
        def write(self, store, fetched):
            super().write(store, fetched)
            raise RuntimeError("boom after the upsert")

    with connect(db_url) as store:
        run(store, settings, RowsUnit("fake/new", rows(5, at=NEW)))
        failed = run(store, settings, FailsAfterWrite("fake/old", rows(5, at=OLD)))
        assert failed.status == "failed"
        assert query.conflicts(store, failed.run_id) == [] and query.conflict_counts(store, failed.run_id) == {}
