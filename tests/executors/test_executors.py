"""The executor contract (docs/scale.md): a run's units on dask or spark workers give
tables identical to a local run, the ledger says which worker ran each unit, a killed
worker's unit runs again with the same result, and the per-host rate limit holds for the
whole run.  Small on purpose: a handful of units, local clusters on 127.0.0.1."""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

import fieldhouse
from fieldhouse.runs import ledger
from fieldhouse.runs.executors import ExecutorSpec, open_executor
from fieldhouse.settings import Settings
from fieldhouse.sources import registry
from fieldhouse.stores import connect
from fieldhouse.table import HASH_COLUMN
from fieldhouse.testing.fakeserver import FakeStatsServer
from tests.nba.conftest import game_log, route_game_log, serve_playoffs

pytest.importorskip("distributed")
ENGINES = ["local", "dask", "spark"]


@pytest.fixture(scope="module")
def engine(request):
    """One executor per engine for the whole module (a cluster starts once)."""
    opened = {}
    yield lambda kind: opened.setdefault(kind, open_executor(kind))
    for running in opened.values():
        running.close()


def tables_of(url: str, source: str, *, drop_versions: bool = False) -> dict[str, list[tuple]]:
    """Every table of ``source``, rows sorted, as plain tuples (the version column left out
    when the runs fetched at different times)."""
    found = {}
    with connect(url) as store:
        for name, table in sorted(registry.get(source).tables().items()):
            if not store.table_exists(table):
                found[name] = []
                continue
            skip = {HASH_COLUMN, *([table.version] if drop_versions and table.version else [])}
            columns = [c for c in table.columns if c not in skip]
            found[name] = sorted(tuple(repr(r[c]) for c in columns) for r in store.rows(table, columns=columns))
    return found


def nba_archive_backfill(url: str, executor) -> fieldhouse.RunReport:
    with fieldhouse.bundled_archive("nba") as folder:
        settings = Settings(database_url=url)
        return fieldhouse.backfill("nba", settings, archive=str(folder), seasons="2018-19",
                                   season_type="playoffs", executor=executor)


@pytest.mark.parametrize("kind", ENGINES)
def test_backfill_from_an_archive_gives_the_tables_of_a_local_run(kind, engine, tmp_path: Path):
    if kind == "spark":
        pytest.importorskip("pyspark")
    local_url, url = f"sqlite:///{tmp_path / 'local.db'}", f"sqlite:///{tmp_path / 'x.db'}"
    assert nba_archive_backfill(local_url, None).status == "success"
    report = nba_archive_backfill(url, engine(kind))
    assert report.status == "success", report.error
    assert tables_of(url, "nba") == tables_of(local_url, "nba")
    assert tables_of(url, "nba")["nba.games"]  # not trivially equal
    with connect(url) as store:
        units = ledger.unit_rows(store, report.run_id)
    assert {u["status"] for u in units} == {"success"}
    assert all(u["worker"].startswith(f"{kind}:") for u in units), [u["worker"] for u in units]
    if kind != "local":
        assert all(int(u["worker"].rsplit(":", 1)[1]) != os.getpid() for u in units)  # not the driver


@pytest.mark.parametrize("kind", ENGINES)
def test_replay_from_the_raw_zone_gives_the_tables_of_a_local_replay(kind, engine, tmp_path: Path):
    if kind == "spark":
        pytest.importorskip("pyspark")
    control_url = f"sqlite:///{tmp_path / 'control.db'}"
    assert fieldhouse.demo("mlb", Settings(database_url=control_url)).report.status == "success"
    results = {}
    for name, executor in (("here", None), ("there", engine(kind))):
        url = f"sqlite:///{tmp_path / name}.db"
        with connect(url) as data, connect(control_url) as control:
            report = fieldhouse.replay(data, control=control, executor=executor)
        assert report.ok and report.responses >= 7, report.as_dict()
        # Outcomes depend on the order the responses arrive in (a newer one first makes the
        # older one stale rather than updated); the rows offered per table do not.
        offered = {t: sum(c.values()) for t, c in report.tables.as_dict().items()}
        results[name] = (tables_of(url, "mlb"), offered)
    assert results["there"] == results["here"]
    assert results["here"][0]["mlb.games"]


def route_seasons(server: FakeStatsServer, fixtures_dir: Path, seasons: list[str]) -> None:
    """The 2018-19 playoffs answer for every season asked (enough units to pace)."""
    serve_playoffs(server, fixtures_dir)
    for season in seasons:
        for mode in ("T", "P"):
            route_game_log(server, game_log(fixtures_dir, f"leaguegamelog_{mode}_2018-19_playoffs_full.json"),
                           season=season, season_type="Playoffs", mode=mode)


def live_settings(url: str, server: FakeStatsServer, interval: float) -> Settings:
    return Settings(database_url=url, nba={"base_url": server.url("/stats"), "min_interval": interval, "jitter": 0},
                    http_backoff_initial=0, http_backoff_jitter=0, http_max_attempts=3)


SEASONS = ["2014-15", "2015-16", "2016-17", "2017-18", "2018-19"]


def worker_gaps(server: FakeStatsServer) -> list[float]:
    times = sorted(r.at for r in server.requests if r.path != "/stats/scoreboardv3")  # not the pre-flight
    return [b - a for a, b in zip(times, times[1:], strict=False)]


def test_a_distributed_backfill_does_not_hit_the_api_harder_than_a_local_one(engine, fixtures_dir, tmp_path):
    interval = 0.25
    spans = {}
    for kind in ("local", "dask"):
        with FakeStatsServer() as server:
            route_seasons(server, fixtures_dir, SEASONS)
            settings = live_settings(f"sqlite:///{tmp_path / kind}.db", server, interval)
            report = fieldhouse.backfill("nba", settings, seasons="2014-15..2018-19", season_type="playoffs",
                                         executor=None if kind == "local" else engine(kind))
            assert report.status == "success", report.error
            assert report.http_calls == len(server.requests)  # the workers' calls are counted
            gaps = worker_gaps(server)
        calls = len(gaps) + 1
        assert calls == 1 + 2 * len(SEASONS)  # players, then two game logs per season
        spans[kind] = sum(gaps)
        # Each of the W workers waits W x the interval: at most W calls in any interval.
        workers = 1 if kind == "local" else engine(kind).workers
        assert spans[kind] >= (calls - workers) * interval * 0.9, (kind, gaps)
        # ... and never more than W calls within W intervals, however the units fall.
        times = [0.0]
        for gap in gaps:
            times.append(times[-1] + gap)
        window = workers * interval * 0.75  # slack: arrival times jitter on a loaded machine
        assert max(sum(1 for u in times if t <= u < t + window) for t in times) <= workers, (kind, gaps)


def test_killing_a_dask_worker_mid_run_still_ends_identical(fixtures_dir, tmp_path):
    from distributed import Client, LocalCluster

    with FakeStatsServer() as server:
        route_seasons(server, fixtures_dir, SEASONS[-2:])
        local_url = f"sqlite:///{tmp_path / 'local.db'}"
        assert fieldhouse.backfill("nba", live_settings(local_url, server, 0), seasons="2017-18..2018-19",
                                   season_type="playoffs").status == "success"
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None) as cluster, Client(cluster) as client:
            server.requests.clear()
            server.fail("delay", times=1, path="/stats/leaguegamelog", seconds=4)
            url = f"sqlite:///{tmp_path / 'dask.db'}"
            done: dict = {}
            runner = threading.Thread(target=lambda: done.setdefault("report", fieldhouse.backfill(
                "nba", live_settings(url, server, 0), seasons="2017-18..2018-19", season_type="playoffs",
                executor=f"dask://{cluster.scheduler_address}")))
            runner.start()
            deadline = time.monotonic() + 30
            while not any(r.fault == "delay" for r in server.requests) and time.monotonic() < deadline:
                time.sleep(0.05)
            pids = client.run(os.getpid)
            busy = [addr for addr, keys in client.processing().items() if keys]
            assert busy, "no worker was running a unit"
            os.kill(pids[busy[0]], signal.SIGKILL)
            runner.join(60)
        report = done["report"]
        assert report.status == "success", report.error
        assert tables_of(url, "nba", drop_versions=True) == tables_of(local_url, "nba", drop_versions=True)
        with connect(url) as store:
            units = ledger.unit_rows(store, report.run_id)
        assert len(units) == 4 and all(u["status"] == "success" and u["worker"].startswith("dask:") for u in units)


def test_a_bad_executor_is_a_usage_error_before_anything_is_recorded(tmp_path):
    from typer.testing import CliRunner

    from fieldhouse.cli import app

    with pytest.raises(fieldhouse.ConfigError):
        ExecutorSpec.parse("yarn")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    result = CliRunner().invoke(app, ["backfill", "nba", "--seasons", "2018-19", "--executor", "yarn", "--db", db])
    assert result.exit_code == 2, result.output
    assert "--executor 'yarn'" in result.output
    assert not (tmp_path / "x.db").exists()


class GivesUp:
    """An engine that loses every job (as dask does after a job killed its workers 3 times)."""

    name, workers, distributed = "dask", 2, True

    def map(self, fn, jobs):
        list(jobs)
        raise RuntimeError("KilledWorker: the job killed 3 workers")
        yield  # pragma: no cover

    def close(self):
        pass


def test_units_an_engine_gives_up_on_are_failed_with_dead_letters(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    report = nba_archive_backfill(url, GivesUp())
    assert report.status == "failed"
    assert report.units and all(u.status == "failed" and "lost the unit" in u.error for u in report.units)
    assert sorted(report.dead_letters_opened) == sorted(u.key for u in report.units)
    with connect(url) as store:
        assert {u["status"] for u in ledger.unit_rows(store, report.run_id)} == {"failed"}
