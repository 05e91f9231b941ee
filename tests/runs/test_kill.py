"""SIGKILL a real ``fieldhouse sync nba`` (2018-19 playoffs, served by the fake stats server)
during a fetch, inside a unit's transaction and between units; then run it again and compare
every NBA table and the watermark with those of a clean run.  On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from fieldhouse import connect
from fieldhouse.runs import deadletters, ledger
from fieldhouse.sources.watermarks import WATERMARKS
from fieldhouse.testing.fakeserver import FakeStatsServer

from ..nba.conftest import serve_playoffs

KILLABLE = Path(__file__).with_name("killable.py")
SYNC = ["sync", "nba", "--season", "2018-19", "--season-type", "playoffs"]
NBA_TABLES = ("nba.teams", "nba.players", "nba.games", "nba.team_game_stats", "nba.player_game_stats")


@pytest.fixture
def server(fixtures_dir):
    with FakeStatsServer() as server:
        serve_playoffs(server, fixtures_dir)
        yield server


def env_for(url: str, server: FakeStatsServer, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "FIELDHOUSE_DATABASE_URL": url, "FIELDHOUSE_NBA__BASE_URL": server.url("/stats"),
            "FIELDHOUSE_NBA__MIN_INTERVAL": "0", "FIELDHOUSE_NBA__JITTER": "0", "FIELDHOUSE_HTTP_BACKOFF_INITIAL": "0",
            "FIELDHOUSE_HTTP_BACKOFF_JITTER": "0", "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "2",
            "FIELDHOUSE_RUN_HEARTBEAT_INTERVAL": "0.2", "FIELDHOUSE_LOG_FILE": str(tmp_path / "fh.log"),
            "FIELDHOUSE_LOG_LEVEL": "WARNING", **extra}


def sync(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(KILLABLE), *SYNC], env=env, capture_output=True, text=True, timeout=120)


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def snapshot(url: str) -> dict[str, list]:
    """Every NBA row (without its capture time, which differs between runs) and the watermarks."""
    from fieldhouse.sources.nba.schema import TABLES

    out = {}
    with connect(url) as store:
        for name in NBA_TABLES:
            table = TABLES[name]
            rows = store.rows(table) if store.table_exists(table) else []
            out[name] = [{k: _plain(v) for k, v in r.items() if k != "captured_at"} for r in rows]
        marks = store.rows(WATERMARKS) if store.table_exists(WATERMARKS) else []
        out["watermarks"] = [(m["source"], m["scope"], m["watermark"]) for m in marks]
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory, fixtures_dir):
    """The tables after one uninterrupted sync (SQLite), and its run."""
    tmp = tmp_path_factory.mktemp("clean")
    url = f"sqlite:///{tmp / 'clean.db'}"
    with FakeStatsServer() as server:
        serve_playoffs(server, fixtures_dir)
        done = sync(env_for(url, server, tmp))
    assert done.returncode == 0, done.stdout + done.stderr
    with connect(url) as store:
        [run] = ledger.list_runs(store)
    return snapshot(url), run


def test_clean_run_passes_every_audit_on_the_real_fixtures(clean):
    tables, run = clean
    assert run["status"] == "success" and run["audit"]["passed"], run["audit"]
    assert len(tables["nba.games"]) == 82 and len(tables["nba.team_game_stats"]) == 164
    assert ("nba", "2018-19/playoffs") in [(s, sc) for s, sc, _ in tables["watermarks"]]


def _wait_for(predicate, proc, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            raise AssertionError(f"the sync ended before the kill point: {proc.stdout.read()} {proc.stderr.read()}")
        time.sleep(0.02)
    raise AssertionError("the kill point was never reached")


POINTS = {
    # (how to stop there, units committed before the kill)
    "during a fetch": ("fetch", {"nba/teams", "nba/players"}),
    "inside a transaction": ("transaction", {"nba/teams", "nba/players"}),
    "between units": ("between", {"nba/teams", "nba/players"}),
}


@pytest.mark.parametrize("point", sorted(POINTS))
def test_sigkill_then_rerun_matches_a_clean_run(point, db_url, server, tmp_path, clean):
    how, committed = POINTS[point]
    extra = {}
    if how == "fetch":  # the playoffs' team log hangs until the kill
        server.fail("delay", seconds=60, path="/stats/leaguegamelog")
    elif how == "transaction":
        extra = {"FH_PAUSE_AT": "transaction", "FH_PAUSE_UNIT": "nba/2018-19/playoffs"}
    else:
        extra = {"FH_PAUSE_AT": "between", "FH_PAUSE_UNIT": "nba/players"}
    env = env_for(db_url, server, tmp_path, **extra)
    proc = subprocess.Popen([sys.executable, str(KILLABLE), *SYNC], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        if how == "fetch":
            _wait_for(lambda: any(r.path == "/stats/leaguegamelog" for r in server.requests), proc)
        else:
            line = proc.stdout.readline()
            assert line.startswith("PAUSED"), line + proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    # as if only the committed units had run
    after_kill = snapshot(db_url)
    assert after_kill["nba.games"] == [] and after_kill["nba.team_game_stats"] == []
    assert after_kill["watermarks"] == []  # the playoffs unit's watermark went with its rows
    assert len(after_kill["nba.teams"]) == 30 and after_kill["nba.players"] == clean[0]["nba.players"]
    with connect(db_url) as store:
        [killed] = ledger.list_runs(store)
        assert killed["status"] == "running"
        units = {u["unit_key"]: u["status"] for u in ledger.unit_rows(store, killed["run_id"])}
    assert {k for k, s in units.items() if s == "success"} == committed

    env.pop("FH_PAUSE_AT", None)
    again = sync(env)
    assert again.returncode == 0, again.stdout + again.stderr
    assert snapshot(db_url) == clean[0]  # nothing missing, nothing twice, watermark right
    with connect(db_url) as store:
        runs = ledger.list_runs(store)
        assert [r["status"] for r in runs] == ["success", "abandoned"]
        assert runs[1]["run_id"] == killed["run_id"] and runs[0]["audit"]["passed"]
        assert "is gone" in runs[1]["error"]
        left = {u["unit_key"]: u["status"] for u in ledger.unit_rows(store, killed["run_id"])}
    assert "running" not in left.values()
    if how != "between":
        assert left["nba/2018-19/playoffs"] == "abandoned"


def test_doctor_asks_the_api_host(server, sqlite_url, tmp_path):
    env = env_for(sqlite_url, server, tmp_path)
    ok = subprocess.run([sys.executable, "-m", "fieldhouse", "doctor", "--source", "nba", "--json"], env=env, capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert any(r.path == "/stats/scoreboardv3" for r in server.requests)
    server.fail("status", status=503, times=2, path="/stats/scoreboardv3")
    down = subprocess.run([sys.executable, "-m", "fieldhouse", "doctor", "--source", "nba"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert down.returncode == 1 and "the API host does not answer" in down.stdout


def test_real_sync_dead_letter_then_deadletters_retry(server, sqlite_url, tmp_path, clean):
    env = env_for(sqlite_url, server, tmp_path)
    server.fail("status", status=503, times=2, path="/stats/leaguegamelog")  # both attempts fail
    partial = sync(env)
    assert partial.returncode == 3, partial.stdout + partial.stderr
    with connect(sqlite_url) as store:
        [letter] = deadletters.list_letters(store)
    assert letter["unit_key"] == "nba/2018-19/playoffs" and letter["http_status"] == 503
    assert letter["endpoint"] == "leaguegamelog" and letter["fetch_attempts"] == 2
    retry = subprocess.run([sys.executable, "-m", "fieldhouse", "deadletters", "retry", "--json"], env=env,
                           capture_output=True, text=True, timeout=120)
    assert retry.returncode == 0, retry.stdout + retry.stderr
    [run] = json.loads(retry.stdout)["runs"]
    assert run["command"] == "retry" and run["dead_letters"]["closed"] == ["nba/2018-19/playoffs"]
    assert [u["key"] for u in run["units"]] == ["nba/2018-19/playoffs"]
    assert snapshot(sqlite_url) == clean[0]
    with connect(sqlite_url) as store:
        assert deadletters.list_letters(store) == []
