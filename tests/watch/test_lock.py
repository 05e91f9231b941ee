"""The watch lock is per source and day (issue 15): a second watch of the same day exits
with a clear message (exit code 1, nothing polled), a watch of another day and the nightly
sync run beside it, and a sync never marks a live watch abandoned."""

from __future__ import annotations

import fieldhouse
from fieldhouse.cli import app
from fieldhouse.runs import ledger
from fieldhouse.runs.watch import FakeWatchClock, lock_name, watch
from fieldhouse.sources.mlb.fakeroutes import serve_recorded
from fieldhouse.testing import FakeStatsServer

from ..mlb.helpers import FINAL_FEEDS
from ..mlb.test_sync import SEASONS_2024, feed_file
from .helpers import serve_717209, settings_for


def _watching(store, day: str) -> ledger.RunRecord:
    """A live watch of ``day`` as its ledger row shows it (this process, fresh heartbeat)."""
    record = ledger.RunRecord("mlb", "watch", {"date": day})
    record.save(store)
    return record


def test_a_second_watch_of_the_same_day_exits_with_the_holder_named(db_url):
    with FakeStatsServer() as server, fieldhouse.connect(db_url) as store:
        held = _watching(store, "2023-07-29")
        with store.lock(lock_name("mlb", "2023-07-29")):
            report = watch("mlb", settings_for(db_url, server), games="717209", date="2023-07-29",
                           clock=FakeWatchClock())
            assert report.status == "failed" and report.exit_code == 1
            assert report.error.startswith(f"another mlb watch of 2023-07-29 is in progress (run {held.run_id}, pid ")
            assert "stop it first, or watch another day" in report.error
            assert server.hits() == 0
            # another day is not blocked
            serve_717209(server, final=True)
            other = watch("mlb", settings_for(db_url, server), games="717209", date="2023-07-30",
                          clock=FakeWatchClock())
            assert other.status == "success", other.error
        assert ledger.get_run(store, held.run_id)["status"] == "running"


def test_the_nightly_sync_runs_beside_a_watch_and_leaves_it_alone(db_url, monkeypatch):
    with FakeStatsServer() as server, fieldhouse.connect(db_url) as store:
        serve_recorded(server, SEASONS_2024)
        serve_recorded(server, feed_file(FINAL_FEEDS[744914]))
        held = _watching(store, "2024-07-02")
        with store.lock(lock_name("mlb", "2024-07-02")):
            report = fieldhouse.sync("mlb", settings_for(db_url, server), games="744914")
            assert report.status == "success", report.error
        assert ledger.get_run(store, held.run_id)["status"] == "running"


def test_the_command_line_names_the_holder_and_exits_1(sqlite_url, monkeypatch):
    from typer.testing import CliRunner

    with FakeStatsServer() as server, fieldhouse.connect(sqlite_url) as store:
        monkeypatch.setenv("FIELDHOUSE_MLB__BASE_URL", server.url("/api"))
        monkeypatch.setenv("FIELDHOUSE_RUN_LOCK_WAIT", "0")
        _watching(store, "2023-07-29")
        with store.lock(lock_name("mlb", "2023-07-29")):
            result = CliRunner().invoke(app, ["watch", "mlb", "--date", "2023-07-29", "--games", "717209",
                                              "--db", sqlite_url])
        assert result.exit_code == 1, result.output
        assert "another mlb watch of 2023-07-29 is in progress" in result.output
        bad = CliRunner().invoke(app, ["watch", "mlb", "--date", "yesterday", "--db", sqlite_url])
        assert bad.exit_code == 2 and "--date 'yesterday' is not a date" in bad.output
        unknown = CliRunner().invoke(app, ["watch", "mlb", "--season", "2024", "--db", sqlite_url])
        assert unknown.exit_code == 2 and "has no option --season" in unknown.output
