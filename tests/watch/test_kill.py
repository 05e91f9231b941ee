"""A real ``fieldhouse watch mlb`` process, SIGKILLed mid-watch and started again, ends with
the same tables as an uninterrupted watch (the tables of the final captures alone); a
SIGTERM stops it after the current poll (exit 143, the run recorded).  SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import fieldhouse
from fieldhouse.runs import ledger
from fieldhouse.testing import FakeStatsServer

from ..mlb.helpers import FINAL_FEEDS, feed
from .helpers import DIFF_PATH, final_746139, load_alone, serve_717209, serve_746139, tables

LAST = ("20240612_042758",)


def _env(url: str, server: FakeStatsServer, tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "FIELDHOUSE_DATABASE_URL": url, "FIELDHOUSE_MLB__BASE_URL": server.url("/api"),
            "FIELDHOUSE_MLB__MIN_INTERVAL": "0", "FIELDHOUSE_MLB__JITTER": "0", "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "1",
            "FIELDHOUSE_WATCH_INTERVAL": "0.15", "FIELDHOUSE_WATCH_FLOOR": "0", "FIELDHOUSE_WATCH_JITTER": "0",
            "FIELDHOUSE_WATCH_IDLE_AFTER": "1000", "FIELDHOUSE_RUN_LOCK_WAIT": "0",
            "FIELDHOUSE_RUN_HEARTBEAT_INTERVAL": "0.2", "FIELDHOUSE_LOG_FILE": str(tmp_path / "fh.log"),
            "FIELDHOUSE_LOG_LEVEL": "WARNING"}


def _until(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def _start(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fieldhouse", "watch", "mlb", "--date", "2024-06-11",
                             "--games", "746139,717209"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _asked(server: FakeStatsServer, timecode: str) -> int:
    return sum(r.path == DIFF_PATH.format(pk=746139) and r.query.get("startTimecode") == timecode
               for r in server.requests)


def test_sigkill_mid_watch_then_restart_equals_an_uninterrupted_watch(db_url, tmp_path):
    with FakeStatsServer() as server:
        serve_746139(server)
        serve_717209(server)
        env = _env(db_url, server, tmp_path)
        first = _start(env)
        try:
            _until(lambda: _asked(server, "20240612_041302") >= 1, "the first watch to reach 041302")
        finally:
            first.kill()
            first.wait(10)
        assert first.returncode == -signal.SIGKILL
        killed_at = len(server.requests)
        second = _start(env)
        try:
            _until(lambda: _asked(server, "20240612_042758") >= 2, "the second watch to reach 042758")
            second.send_signal(signal.SIGTERM)
            _, err = second.communicate(timeout=20)
        finally:
            if second.poll() is None:
                second.kill()
        assert second.returncode == 143, err.decode()
        resumed = server.requests[killed_at]
    # the second watch went on from the stored state: a patch request, not a full feed
    assert resumed.path.endswith("/diffPatch"), resumed.path
    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    load_alone(alone, feed(FINAL_FEEDS[717209]), final_746139())
    assert tables(db_url) == tables(alone)
    with fieldhouse.connect(db_url) as store:
        runs = {r["status"]: r for r in ledger.list_runs(store, source="mlb")}
    assert set(runs) == {"abandoned", "failed"}
    assert runs["failed"]["error"] == "terminated (SIGTERM): stopped after the current poll"
