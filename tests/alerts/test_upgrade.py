"""A database written by the previous release (no ``filled`` columns, no conflicts table)
stays readable: the commands add what this release declares before they read."""

from __future__ import annotations

import sqlite3

import psycopg
from typer.testing import CliRunner

from fieldhouse import connect
from fieldhouse.cli import app

from .conftest import RowsUnit, rows, run

runner = CliRunner()
OLDER = ("ALTER TABLE fieldhouse_runs DROP COLUMN filled", "ALTER TABLE fieldhouse_units DROP COLUMN filled",
         "DROP TABLE fieldhouse_conflicts")


def as_previous_release(url: str) -> None:
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            for statement in OLDER:
                conn.execute(statement)
        return
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in OLDER:
            conn.execute(statement)


def test_runs_and_status_read_a_ledger_of_the_previous_release(db_url, settings, tmp_path):
    with connect(db_url) as store:
        report = run(store, settings, RowsUnit("fake/a", rows(3)))
    as_previous_release(db_url)
    env = {"FIELDHOUSE_LOG_FILE": str(tmp_path / "log")}
    listed = runner.invoke(app, ["runs", "--db", db_url], env=env)
    assert listed.exit_code == 0 and report.run_id in listed.output, listed.output
    status = runner.invoke(app, ["status", "--db", db_url], env=env)
    assert status.exit_code == 0 and "alerts: none" in status.output, status.output
    shown = runner.invoke(app, ["runs", "show", report.run_id, "--conflicts", "--db", db_url], env=env)
    assert shown.exit_code == 0 and "no stale rows" in shown.output, shown.output


def test_a_current_ledger_is_not_rewritten_by_a_read(sqlite_url, settings, monkeypatch):
    """Reads never take the write lock (a running sync may hold it) when nothing is missing."""
    from fieldhouse.runs import ledger

    with connect(sqlite_url) as store:
        run(store, settings, RowsUnit("fake/a", rows(3)))
        called = []
        monkeypatch.setattr(ledger, "ensure_ledger", lambda s: called.append(s))
        ledger.upgrade(store)
        assert called == []
        as_previous_release(sqlite_url)
        ledger.upgrade(store)
        assert called == [store]
