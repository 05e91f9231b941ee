"""What only the Delta lake store has to show (the shared rules run in the parametrised
suite beside this file): no commit for a batch that changes nothing, partitions, writer
processes that converge, a SIGKILL between the data and the control commit, and every NBA
and MLB table read back through DuckDB equal to the same sync on SQLite."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("deltalake")

import fieldhouse  # noqa: E402
from fieldhouse import SchemaError  # noqa: E402
from fieldhouse.stores.lake import optimize, vacuum  # noqa: E402

from .helpers import scores_table, snapshot, ts  # noqa: E402
from .test_snapshots import LIVE, feed, pitches  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
KILLABLE = ROOT / "tests" / "runs" / "killable.py"
MLB_FILES = ROOT / "src" / "fieldhouse" / "data" / "mlb_demo_archive"


def row(game_id="g1", pts=100, day=1, season="2024"):
    return {"season": season, "game_id": game_id, "team": "BOS", "pts": pts, "captured_at": ts(day)}


def seasons_table(name="stats.scores"):
    return fieldhouse.Table(name, columns={"season": "text", "game_id": "text", "team": "text", "pts": "int",
                                           "captured_at": "timestamptz"},
                            primary_key=["season", "game_id"], version="captured_at", partition_by=["season"])


@pytest.fixture
def lake(delta_url):
    with fieldhouse.connect(delta_url) as store:
        yield store


def test_a_batch_that_changes_nothing_makes_no_new_version(lake):
    table = scores_table()
    rows = [{"game_id": f"g{i}", "team": "BOS", "pts": i, "captured_at": ts(2)} for i in range(5)]
    lake.upsert(table, rows)
    version = lake.open_table(table).version()
    again = lake.upsert(table, rows + [{**rows[0], "pts": 99, "captured_at": ts(1)}])  # identical, and one stale
    assert (again.unchanged, again.stale, again.written) == (5, 1, 0)
    assert lake.open_table(table).version() == version
    snap = pitches()
    lake.upsert(snap, feed(1, 1, LIVE))
    version = lake.open_table(snap).version()
    assert lake.upsert(snap, feed(1, 1, LIVE)).written == 0
    assert lake.open_table(snap).version() == version


def test_partitions_are_hive_folders_and_the_counts_hold(lake):
    table = seasons_table()
    first = lake.upsert(table, [row("g1", season="2023"), row("g2", season="2024"), row("g1", season="2024")])
    assert first.inserted == 3
    folder = Path(lake.table_uri(table))
    assert {p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("_")} == \
        {"season=2023", "season=2024"}
    second = lake.upsert(table, [row("g1", pts=1, day=2, season="2024"), row("g2", pts=5, day=0, season="2024")])
    assert (second.updated, second.stale) == (1, 1)
    assert lake.rows(table, where={"season": "2024"}, columns=["game_id", "pts"]) == [
        {"game_id": "g1", "pts": 1}, {"game_id": "g2", "pts": 100}]


def test_partitioning_cannot_change_in_place(lake):
    lake.ensure_table(seasons_table("stats.games"))
    plain = fieldhouse.Table("stats.games", columns=seasons_table().columns, primary_key=["season", "game_id"],
                             version="captured_at")
    with pytest.raises(SchemaError, match="partitioned by"):
        lake.ensure_table(plain)


def test_partition_by_must_name_key_columns():
    with pytest.raises(SchemaError, match="not a primary key column"):
        fieldhouse.Table("t", columns={"k": "int", "s": "text", "v": "int"}, primary_key=["k"], version="v",
                         partition_by=["s"])


def test_optimize_and_vacuum_report_their_counts(lake):
    table = scores_table()
    for i in range(4):
        lake.upsert(table, [{"game_id": f"g{i}", "team": "BOS", "pts": i, "captured_at": ts(1)}])
    before = snapshot(lake, table)
    [done] = optimize(lake, [table.name])
    assert (done.files_removed, done.files_added) == (4, 1)
    [cleaned] = vacuum(lake, [table.name], retain_hours=0)
    assert cleaned.files_deleted == 4
    assert snapshot(lake, table) == before


# -------------------------------------------------------------- concurrent writer processes

WRITER = """
import json, os, sys
import fieldhouse
from datetime import datetime
table = fieldhouse.Table("scores", columns={"game_id": "text", "pts": "int", "captured_at": "timestamptz"},
                         primary_key=["game_id"], version="captured_at")
with fieldhouse.connect(sys.argv[1]) as store:
    for batch in json.loads(sys.argv[2]):
        store.upsert(table, [{**r, "captured_at": datetime.fromisoformat(r["captured_at"])} for r in batch])
print("done", flush=True)
# Every commit is made.  Skip the interpreter's teardown: pyarrow's thread pool can abort it
# ("terminate called without an active exception", exit -6) when it races the exit
# (docs/lake.md, Limits).
os._exit(0)
"""
BATCH = st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.integers(0, 3), st.integers(0, 2)),
                 min_size=1, max_size=4)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(writers=st.lists(st.lists(BATCH, min_size=1, max_size=3), min_size=4, max_size=4))
def test_four_writer_processes_with_overlapping_keys_converge(tmp_path_factory, writers):
    """Each process upserts its batches while the others do (commits conflict and are
    retried); the lake ends equal to the same batches applied one by one on SQLite."""
    folder = tmp_path_factory.mktemp("converge")
    url = f"delta://{folder / 'lake'}"

    def batch(items):
        return [{"game_id": k, "pts": p, "captured_at": ts(d).isoformat()} for k, p, d in items]

    procs = [subprocess.Popen([sys.executable, "-c", WRITER, url, json.dumps([batch(b) for b in mine])],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for mine in writers]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert (p.returncode, out) == (0, "done\n"), err
    table = fieldhouse.Table("scores", columns={"game_id": "text", "pts": "int", "captured_at": "timestamptz"},
                             primary_key=["game_id"], version="captured_at")
    with fieldhouse.connect(f"sqlite:///{folder / 'ref.db'}") as ref, fieldhouse.connect(url) as lake:
        for mine in writers:
            for b in mine:
                ref.upsert(table, [{**r, "captured_at": ts(d)} for r, (_, _, d) in zip(batch(b), b, strict=True)])
        assert snapshot(lake, table) == snapshot(ref, table)


# ----------------------------------------------------- SIGKILL between the two commits

def _env(url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "FIELDHOUSE_DATABASE_URL": url, "FIELDHOUSE_LOG_FILE": str(tmp_path / "fh.log"),
            "FIELDHOUSE_LOG_LEVEL": "WARNING", "FIELDHOUSE_RUN_HEARTBEAT_INTERVAL": "0.2", **extra}


def _tables(url: str) -> dict[str, list]:
    with fieldhouse.connect(url) as store:
        return {e.name: [{k: (float(v) if isinstance(v, Decimal) else v) for k, v in r.items() if k != "updated_at"}
                         for r in store.rows(e.table)]
                for e in store.tables() if e.kind == "data"}


def test_a_sigkill_between_the_data_and_the_control_commit_is_repaired_by_the_rerun(tmp_path):
    url = f"delta://{tmp_path / 'lake'}"
    env = _env(url, tmp_path, FH_PAUSE_AT="transaction", FH_PAUSE_UNIT="nba/2018-19/playoffs")
    proc = subprocess.Popen([sys.executable, str(KILLABLE), "demo", "nba"], env=env, cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if line.startswith("fieldhouse demo:"):  # the banner demo prints before it starts
            line = proc.stdout.readline()
        assert line.startswith("PAUSED"), line + proc.stderr.read()
        # the unit's rows are committed in the lake, its control rows not yet
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    with fieldhouse.connect(url) as store:
        assert store.count(fieldhouse.Table("nba.games", columns={"game_id": "text", "v": "int"},
                                            primary_key=["game_id"], version="v")) == 82
    rerun = subprocess.run([sys.executable, str(KILLABLE), "demo", "nba", "--json"], env=_env(url, tmp_path),
                           cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads(rerun.stdout)
    assert report["status"] == "success"
    assert report["tables"]["nba.games"]["inserted"] == 0  # the lake had them: nothing written twice
    clean = f"delta://{tmp_path / 'clean'}"
    subprocess.run([sys.executable, str(KILLABLE), "demo", "nba"], env=_env(clean, tmp_path), cwd=tmp_path,
                   check=True, capture_output=True, timeout=120)
    assert _tables(url) == _tables(clean)


# ------------------------------------------ DuckDB reads what the lake holds, as SQLite does

def _sync(url: str, tmp_path: Path) -> None:
    files = tmp_path / "mlb-files"
    if not files.exists():
        files.mkdir()
        for f in sorted(MLB_FILES.iterdir())[:3]:  # the teams, a final feed and an older live one
            shutil.copy(f, files)
    for args in (["demo", "nba"], ["sync", "mlb", "--from-files", str(files)]):
        done = subprocess.run([sys.executable, "-m", "fieldhouse", *args, "--db", url], cwd=tmp_path,
                              env=_env(url, tmp_path), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr


def _comparable(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return value.timestamp()
    return value


def test_duckdb_reads_every_nba_and_mlb_table_as_sqlite_holds_it(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    lake_url, sqlite_url = f"delta://{tmp_path / 'lake'}", f"sqlite:///{tmp_path / 'ref.db'}"
    _sync(lake_url, tmp_path)
    _sync(sqlite_url, tmp_path)
    with fieldhouse.connect(lake_url) as lake, fieldhouse.connect(sqlite_url) as ref:
        entries = [e for e in ref.tables() if e.kind == "data" and e.name.split(".")[0] in ("nba", "mlb")]
        assert len(entries) >= 15
        con = duckdb.connect()
        for entry in entries:
            table = entry.table
            cols = [c for c in table.content_columns]
            data = lake.open_table(table).to_pyarrow_dataset()  # noqa: F841 (read by DuckDB below)
            order = ", ".join(f'"{k}"' for k in table.primary_key)
            got = con.execute(f'SELECT {", ".join(chr(34) + c + chr(34) for c in cols)} FROM data ORDER BY {order}'
                              ).fetchall()
            want = [tuple(r[c] for c in cols) for r in ref.rows(table, columns=cols)]
            assert [tuple(map(_comparable, r)) for r in got] == [tuple(map(_comparable, r)) for r in want], entry.name


def test_a_mapping_declares_partition_by_and_a_mistake_in_it_names_the_target():
    from fieldhouse.errors import MappingError
    from fieldhouse.mapping import parse_mapping

    text = """
targets:
  games:
    table: league.games
    primary_key: [season, game_id]
    version: captured_at
    partition_by: [season]
    columns:
      season:      {type: text, path: season}
      game_id:     {type: text, path: id}
      captured_at: {type: timestamptz, expr: captured_at()}
"""
    spec = parse_mapping(text, "games.yaml")
    assert spec.targets["games"].table.partition_by == ("season",)
    with pytest.raises(MappingError, match="target 'games'.*partition_by column 'game_date' is not a column"):
        parse_mapping(text.replace("partition_by: [season]", "partition_by: [game_date]"), "games.yaml")


def test_the_run_output_suggests_optimize_for_a_table_of_many_small_files(lake, monkeypatch):
    from fieldhouse.runs.execute import compaction_advice
    from fieldhouse.stores import lake as lake_api

    table = scores_table()
    for i in range(4):
        lake.upsert(table, [{"game_id": f"g{i}", "team": "BOS", "pts": i, "captured_at": ts(1)}])
    counts = {table.name: {"inserted": 1}}
    assert compaction_advice(lake, counts) == []  # 4 files: nothing to say
    monkeypatch.setattr(lake_api, "MANY_FILES", 3)
    assert compaction_advice(lake, counts) == [
        f"table {table.name} has 4 small files: run fieldhouse lake optimize --table {table.name}"]
    assert compaction_advice(lake, {table.name: {"unchanged": 4}}) == []  # not written by this run
