"""Exclusion of concurrent runs of a source, heartbeats, and abandoned-run detection."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta

from fieldhouse import connect
from fieldhouse.runs import execute_run, ledger
from fieldhouse.runs.execute import lock_name

from .conftest import FakeUnit


def run(store, settings, units, **kw):
    return execute_run(store, source="fake", command="sync", units=units, settings=settings, **kw)


class SlowUnit(FakeUnit):
    def __init__(self, key, started: threading.Event, release: threading.Event):
        super().__init__(key)
        self.started, self.release = started, release

    def fetch(self):
        self.started.set()
        assert self.release.wait(10)
        return super().fetch()


def test_second_run_of_a_source_waits_then_exits_with_a_clear_message(db_url, settings):
    started, release = threading.Event(), threading.Event()
    results = {}

    def first():
        with connect(db_url) as store:
            results["first"] = run(store, settings, [SlowUnit("a", started, release)])

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert started.wait(10)
        with connect(db_url) as store:
            t0 = time.monotonic()
            second = run(store, settings, [FakeUnit("b")])
            assert time.monotonic() - t0 >= 0.2  # it waited (run_lock_wait=0.2) ...
            assert (second.status, second.exit_code) == ("failed", 1)  # ... then gave up
            assert "another fake run is in progress (run " in second.error
            assert "try again when it has finished" in second.error
            assert second.units == []
            # another source is not held back
            other = execute_run(store, source="other", command="sync", units=[FakeUnit("c")], settings=settings)
            assert other.status == "success"
            # the first run was not taken for dead, and the refused one is in the ledger
            statuses = {r["run_id"]: r["status"] for r in ledger.list_runs(store, source="fake")}
            assert sorted(statuses.values()) == ["failed", "running"]
    finally:
        release.set()
        thread.join(10)
    assert results["first"].status == "success"


def test_heartbeat_advances_during_a_long_fetch(sqlite_url, settings):
    started, release = threading.Event(), threading.Event()
    out = {}

    def go():
        with connect(sqlite_url) as store:
            out["r"] = run(store, settings, [SlowUnit("a", started, release)])

    thread = threading.Thread(target=go)
    thread.start()
    try:
        assert started.wait(10)
        with connect(sqlite_url) as store:
            [row] = ledger.list_runs(store)
            first_beat = row["heartbeat"]
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                time.sleep(0.05)
                [row] = ledger.list_runs(store)
                if row["heartbeat"] > first_beat:
                    break
            assert row["heartbeat"] > first_beat and row["status"] == "running"
    finally:
        release.set()
        thread.join(10)
    assert out["r"].status == "success"


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _fake_running(store, *, source="fake", pid=None, host=None, beat_age=0.0):
    record = ledger.RunRecord(source, "sync", {})
    record.update(pid=pid or _dead_pid(), host=host or ledger.host_name())
    row = record.snapshot()
    row["heartbeat"] = datetime.now(UTC) - timedelta(seconds=beat_age)
    ledger.ensure_ledger(store)
    store.upsert(ledger.RUNS_TABLE, [row])
    store.upsert(ledger.UNITS_TABLE, [ledger.unit_row(record, "a", "fake", "running", started_at=datetime.now(UTC))])
    return record.run_id


def test_dead_run_is_marked_abandoned_by_the_next_run(db_url, settings):
    with connect(db_url) as store:
        dead = _fake_running(store)
        report = run(store, settings, [FakeUnit("a")])
        assert report.abandoned == [dead] and report.status == "success"
        row = ledger.get_run(store, dead)
        assert row["status"] == "abandoned" and "process" in row["error"] and "is gone" in row["error"]
        assert row["finished_at"] is not None
        assert [u["status"] for u in ledger.unit_rows(store, dead)] == ["abandoned"]


def test_looks_dead_by_pid_or_stale_heartbeat(sqlite_url):
    with connect(sqlite_url) as store:
        gone = ledger.get_run(store, _fake_running(store))
        assert "is gone" in ledger.looks_dead(gone, stale_after=60)
        import os

        alive_here = ledger.get_run(store, _fake_running(store, pid=os.getpid()))
        assert ledger.looks_dead(alive_here, stale_after=60) is None
        elsewhere = ledger.get_run(store, _fake_running(store, host="other-host", pid=1, beat_age=300))
        assert "no heartbeat since" in ledger.looks_dead(elsewhere, stale_after=60)
        fresh_elsewhere = ledger.get_run(store, _fake_running(store, host="other-host", pid=1, beat_age=1))
        assert ledger.looks_dead(fresh_elsewhere, stale_after=60) is None


def test_holding_the_source_lock_proves_other_running_runs_dead(db_url, settings):
    """A run on another host with a fresh heartbeat, but no lock: its connection is gone."""
    with connect(db_url) as store:
        ghost = _fake_running(store, host="other-host", pid=1, beat_age=1)
        other_source = _fake_running(store, source="mlb", host="other-host", pid=1, beat_age=1)
        report = run(store, settings, [FakeUnit("a")])
        assert report.abandoned == [ghost]
        assert "no longer holds the lock" in ledger.get_run(store, ghost)["error"]
        assert ledger.get_run(store, other_source)["status"] == "running"  # not ours to judge


def test_lock_name_is_per_source():
    assert lock_name("nba") != lock_name("mlb")
