"""SIGKILL a real MLB sync (three final games served by the fake server) during a feed
fetch and inside a game unit's transaction; the database then holds exactly the units that
committed, and a re-run makes every MLB table equal to a clean run's.  SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import fieldhouse
from fieldhouse.runs import ledger
from fieldhouse.sources.mlb import schema
from fieldhouse.sources.mlb.fakeroutes import serve_recorded
from fieldhouse.testing import FakeStatsServer

from ..runs.test_kill import _wait_for
from .helpers import FINAL_FEEDS
from .test_sync import FEED_PATH, SEASONS_2024, feed_file

SCRIPT = Path(__file__).with_name("killable_sync.py")
GAMES = (744914, 745455, 717209)


def _serve(srv: FakeStatsServer) -> FakeStatsServer:
    serve_recorded(srv, SEASONS_2024)
    for pk in GAMES:
        serve_recorded(srv, feed_file(FINAL_FEEDS[pk]))
    return srv


def _env(url: str, srv: FakeStatsServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "FIELDHOUSE_DATABASE_URL": url, "FIELDHOUSE_MLB__BASE_URL": srv.url("/api"),
            "FIELDHOUSE_MLB__MIN_INTERVAL": "0", "FIELDHOUSE_MLB__JITTER": "0", "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "2",
            "FIELDHOUSE_HTTP_BACKOFF_INITIAL": "0", "FIELDHOUSE_HTTP_BACKOFF_JITTER": "0",
            "FIELDHOUSE_RUN_HEARTBEAT_INTERVAL": "0.2", "FIELDHOUSE_LOG_FILE": str(tmp_path / "fh.log"),
            "FIELDHOUSE_LOG_LEVEL": "WARNING", **extra}


def _args() -> list[str]:
    return [sys.executable, str(SCRIPT), ",".join(map(str, GAMES))]


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def _snapshot(url: str) -> dict[str, list]:
    """Every MLB row (feed rows carry the feed's time stamp, so two runs agree exactly)."""
    with fieldhouse.connect(url) as store:
        return {name: [{k: _plain(v) for k, v in r.items()} for r in store.rows(table)]
                if store.table_exists(table) else [] for name, table in schema.tables().items()}


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> dict[str, list]:
    tmp = tmp_path_factory.mktemp("clean")
    url = f"sqlite:///{tmp / 'clean.db'}"
    with FakeStatsServer() as srv:
        done = subprocess.run(_args(), env=_env(url, _serve(srv), tmp), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    return _snapshot(url)


@pytest.mark.parametrize("point", ["during a fetch", "inside a transaction"])
def test_sigkill_then_rerun_matches_a_clean_run(point: str, db_url: str, tmp_path: Path, clean) -> None:
    with FakeStatsServer() as srv:
        _serve(srv)
        extra = {}
        if point == "during a fetch":  # the second game's feed hangs until the kill
            srv.fail("delay", seconds=60, path=FEED_PATH.format(745455))
        else:
            extra = {"FH_PAUSE_AT": "transaction", "FH_PAUSE_UNIT": "mlb/game/745455"}
        proc = subprocess.Popen(_args(), env=_env(db_url, srv, tmp_path, **extra), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            if point == "during a fetch":
                _wait_for(lambda: srv.hits(FEED_PATH.format(745455)) > 0, proc)
            else:
                line = proc.stdout.readline()
                assert line.startswith("PAUSED"), line + proc.stderr.read()
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        killed = _snapshot(db_url)
        assert {g["game_pk"] for g in killed["mlb.games"]} == {744914}  # only the unit that committed
        assert {p["game_pk"] for p in killed["mlb.pitches"]} == {744914}
        again = subprocess.run(_args(), env=_env(db_url, srv, tmp_path), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert _snapshot(db_url) == clean
    with fieldhouse.connect(db_url) as store:
        runs = {r["status"] for r in ledger.list_runs(store, source="mlb")}
    assert runs == {"abandoned", "success"}
