"""Benchmark of the defensive upsert (issue #2, "Measured").  Run by hand, never by the tests.

    .venv/bin/python benchmarks/upsert.py [--rows 1000000] [--url postgresql://postgres@127.0.0.1:5432/postgres]

Creates a scratch database ``fh_bench`` on the server of ``--url`` (and drops it at the end),
generates ``--rows`` synthetic player box-score rows (25 columns, key (game_id, player_id),
version captured_at) and measures, on the same data and connection settings:

* reference (a): plain COPY (text, ``cursor.copy`` + ``write_row``) into an identical keyed table;
* fieldhouse scenario 1: ``store.upsert`` of the batch into an empty table;
* fieldhouse scenario 2: the same batch again;
* fieldhouse scenario 3: 80% unchanged / 10% newer / 10% stale;
* scenario 1 again into a second table with the pipeline off (one statement, the path of
  batches up to ``store.pipeline_threshold`` rows), for a comparison within one run;
* reference (b): the tutorial per-row ``INSERT ... ON CONFLICT DO UPDATE`` loop (one execute
  per row, one commit at the end) on a sample of ``--loop-rows`` rows into an empty table;

then the same three scenarios on SQLite (``--sqlite-rows``, default 200,000).

For each fieldhouse scenario it reports rows/s, the counts the upsert returned (checked
against what the scenario must give), the elapsed time split into Python prepare / COPY to
stage / the set-based upsert statement / the rest, and n_dead_tup (pg_stat_user_tables,
with stats flushed) plus pgstattuple's dead_tuple_count after the scenario.  The table is
VACUUMed between scenarios (and autovacuum is off for it) so the counts are per scenario.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql as pgsql

import fieldhouse

DB = "fh_bench"
INT_COLS = ["fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "oreb", "dreb", "reb", "ast",
            "stl", "blk", "tov", "pf", "pts"]
COLUMNS: dict[str, str] = {
    "game_id": "text",
    "player_id": "bigint",
    "team_id": "bigint",
    "min": "float",
    **{c: "int" for c in INT_COLS},
    "fg_pct": "float",
    "fg3_pct": "float",
    "ft_pct": "float",
    "plus_minus": "int",
    "captured_at": "timestamptz",
}
NAMES = list(COLUMNS)
PG_TYPES = {"text": "text", "bigint": "bigint", "float": "double precision", "int": "integer",
            "timestamptz": "timestamptz"}
TABLE = fieldhouse.Table("box", columns=COLUMNS, primary_key=["game_id", "player_id"], version="captured_at")
BASE_TIME = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


# ------------------------------------------------------------------------------- data

def _stats(rng: random.Random) -> dict[str, Any]:
    r = rng.randrange
    fga = r(0, 25)
    fgm = r(0, fga + 1)
    fg3a = r(0, fga + 1)
    fg3m = r(0, min(fg3a, fgm) + 1)
    fta = r(0, 12)
    ftm = r(0, fta + 1)
    oreb, dreb = r(0, 6), r(0, 12)
    return {
        "min": round(rng.random() * 48, 2),
        "fgm": fgm, "fga": fga, "fg3m": fg3m, "fg3a": fg3a, "ftm": ftm, "fta": fta,
        "oreb": oreb, "dreb": dreb, "reb": oreb + dreb, "ast": r(0, 15), "stl": r(0, 5),
        "blk": r(0, 5), "tov": r(0, 7), "pf": r(0, 7), "pts": 2 * fgm + fg3m + ftm,
        "fg_pct": round(fgm / fga, 3) if fga else 0.0,
        "fg3_pct": round(fg3m / fg3a, 3) if fg3a else 0.0,
        "ft_pct": round(ftm / fta, 3) if fta else 0.0,
        "plus_minus": r(-30, 31),
    }


def make_rows(n: int, seed: int = 2) -> list[dict[str, Any]]:
    """``n`` box-score rows: 25 players per game, games 0021800001, ...; in column order."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        game, slot = divmod(i, 25)
        row = {
            "game_id": f"00{21800001 + game:08d}",
            "player_id": 1_600_000 + (game * 7919 + slot * 104_729) % 3_000_000 * 25 + slot,
            "team_id": 1_610_612_737 + (slot >= 12) + game % 15 * 2,
        }
        row.update(_stats(rng))
        row["captured_at"] = BASE_TIME + timedelta(seconds=game)
        rows.append({c: row[c] for c in NAMES})
    return rows


def make_mixed(rows: list[dict[str, Any]], seed: int = 3) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """80% the same rows, 10% newer (captured_at +1h, new stats), 10% stale (-1h, new stats)."""
    rng = random.Random(seed)
    out, newer, stale = [], 0, 0
    for i, row in enumerate(rows):
        kind = i % 10
        if kind == 0:
            changed = {**row, **_stats(rng), "captured_at": row["captured_at"] + timedelta(hours=1)}
            changed["pts"] += 100  # never equal to the stored row
            out.append(changed)
            newer += 1
        elif kind == 1:
            changed = {**row, **_stats(rng), "captured_at": row["captured_at"] - timedelta(hours=1)}
            changed["pts"] += 100
            out.append(changed)
            stale += 1
        else:
            out.append(row)
    return out, {"inserted": 0, "updated": newer, "unchanged": len(rows) - newer - stale, "stale": stale,
                 "rejected": 0, "deleted": 0}


# ------------------------------------------------------------------- timing the store

class Phases:
    """Wall time of the store's statements, attributed by what they are.  A pipelined batch
    (stores/pipeline.py) runs its statements on a worker thread while the caller's thread
    prepares the next chunk, so these times overlap prepare there."""

    def __init__(self) -> None:
        self.t: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, name: str, seconds: float) -> None:
        with self._lock:
            self.t[name] = self.t.get(name, 0.0) + seconds

    def reset(self) -> None:
        self.t = {}


def classify(query: Any) -> str:
    text = query.as_string(None) if hasattr(query, "as_string") else str(query)
    head = text.lstrip()[:40].upper()
    if head.startswith("COPY"):
        return "copy"
    if "INSERT INTO" in text.upper() and ("ON CONFLICT" in text.upper() or "MERGE" in head):
        return "upsert"
    if "SELECT COUNT(*) FROM" in text.upper() and "JOIN" in text.upper():
        return "count"  # also the chunked form, WITH lo AS (...) SELECT count(*) ...
    if head.startswith(("WITH", "MERGE")):
        return "upsert"
    return "other"


class TimedCursor:
    def __init__(self, cur: psycopg.Cursor, phases: Phases) -> None:
        self._cur, self._phases = cur, phases

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self._cur.close()

    def execute(self, query: Any, *args: Any, **kw: Any):
        t0 = time.perf_counter()
        self._cur.execute(query, *args, **kw)
        self._phases.add(classify(query), time.perf_counter() - t0)
        return self

    def fetchone(self):
        return self._cur.fetchone()

    @contextmanager
    def copy(self, query: Any, *args: Any, **kw: Any):
        t0 = time.perf_counter()
        with self._cur.copy(query, *args, **kw) as cp:
            yield cp
        self._phases.add("copy", time.perf_counter() - t0)


def instrument(store: Any, phases: Phases) -> None:
    """Time the PostgreSQL store's prepare step and each statement it runs."""
    real_prepare, conn = store._prepare, store.conn

    def _prepare(table, rows, **kw):
        t0 = time.perf_counter()
        try:
            return real_prepare(table, rows, **kw)
        finally:
            phases.add("prepare", time.perf_counter() - t0)

    class ConnProxy:
        def __getattr__(self, name: str) -> Any:
            return getattr(conn, name)

        def cursor(self, *a: Any, **kw: Any):
            return TimedCursor(conn.cursor(*a, **kw), phases)

        def execute(self, query: Any, *a: Any, **kw: Any):
            t0 = time.perf_counter()
            cur = conn.execute(query, *a, **kw)
            phases.add(classify(query), time.perf_counter() - t0)
            return cur

    store._prepare = _prepare
    store.conn = ConnProxy()


# --------------------------------------------------------------------------- postgres

def admin_url(url: str, dbname: str) -> str:
    """``url`` (a postgresql:// URL) with its database replaced by ``dbname``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def table_ddl(name: str, with_hash: bool = False) -> str:
    cols = [f'"{c}" {PG_TYPES[t]} {"NOT NULL" if c in ("game_id", "player_id", "captured_at") else ""}'
            for c, t in COLUMNS.items()]
    if with_hash:
        cols.append('"_fh_hash" text NOT NULL')
    return f'CREATE TABLE "{name}" ({", ".join(cols)}, PRIMARY KEY (game_id, player_id))'


def dead_tuples(admin: psycopg.Connection, writer: psycopg.Connection | None, table: str) -> dict[str, int]:
    """n_dead_tup etc. for ``table`` after forcing ``writer``'s pending stats out."""
    if writer is not None:
        writer.execute("SELECT pg_stat_force_next_flush()")
        writer.execute("SELECT 1")  # the flush happens when this transaction ends
    admin.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(0.2)
    admin.execute("SELECT pg_stat_clear_snapshot()")
    row = admin.execute(
        "SELECT n_live_tup, n_dead_tup, n_tup_ins, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables "
        "WHERE relname = %s", (table,)).fetchone()
    phys = admin.execute("SELECT tuple_count, dead_tuple_count FROM pgstattuple(%s::regclass)",
                         (table,)).fetchone()
    return {"n_live_tup": row[0], "n_dead_tup": row[1], "n_tup_ins": row[2], "n_tup_upd": row[3],
            "n_tup_hot_upd": row[4], "pgstattuple_live": phys[0], "pgstattuple_dead": phys[1]}


def vacuum(admin: psycopg.Connection, table: str) -> None:
    admin.execute(pgsql.SQL("VACUUM (ANALYZE) {}").format(pgsql.Identifier(table)))
    admin.execute("CHECKPOINT")


def copy_reference(conn: psycopg.Connection, rows: list[dict[str, Any]], binary: bool = False) -> float:
    conn.execute(table_ddl("copy_ref"))
    conn.execute("CHECKPOINT")
    t0 = time.perf_counter()
    with conn.transaction():
        query = f"COPY copy_ref ({', '.join(NAMES)}) FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
        with conn.cursor() as cur, cur.copy(query) as cp:
            if binary:
                cp.set_types([PG_TYPES[t] for t in COLUMNS.values()])
            for row in rows:
                cp.write_row(tuple(row.values()))
    return time.perf_counter() - t0


def loop_reference(conn: psycopg.Connection, rows: list[dict[str, Any]]) -> float:
    conn.execute(table_ddl("loop_ref"))
    conn.execute("CHECKPOINT")
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in NAMES if c not in ("game_id", "player_id"))
    cols, marks = ", ".join(NAMES), ", ".join(["%s"] * len(NAMES))
    stmt = f"INSERT INTO loop_ref ({cols}) VALUES ({marks}) ON CONFLICT (game_id, player_id) DO UPDATE SET {sets}"  # noqa: S608
    t0 = time.perf_counter()
    with conn.transaction():
        cur = conn.cursor()
        for row in rows:
            cur.execute(stmt, tuple(row.values()))
    return time.perf_counter() - t0


def run_postgres(args: argparse.Namespace, rows: list[dict[str, Any]], mixed, expect_mixed) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with psycopg.connect(args.url, autocommit=True) as root:
        root.execute(f"DROP DATABASE IF EXISTS {DB}")
        root.execute(f"CREATE DATABASE {DB}")
        out["server"] = root.execute("SELECT version()").fetchone()[0]
    bench_url = admin_url(args.url, DB)
    try:
        with psycopg.connect(bench_url, autocommit=True) as admin:
            admin.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            n = len(rows)

            secs = copy_reference(admin, rows)
            out["copy_ceiling"] = {"rows": n, "seconds": secs, "rows_per_s": n / secs}
            log(f"COPY ceiling: {n} rows in {secs:.2f}s = {n / secs:,.0f} rows/s")
            admin.execute("DROP TABLE copy_ref")
            secs = copy_reference(admin, rows, binary=True)
            out["copy_binary"] = {"rows": n, "seconds": secs, "rows_per_s": n / secs}
            log(f"binary COPY: {n} rows in {secs:.2f}s = {n / secs:,.0f} rows/s")
            admin.execute("DROP TABLE copy_ref")

            phases = Phases()
            store = fieldhouse.connect(bench_url)
            store.ensure_table(TABLE)
            admin.execute("ALTER TABLE box SET (autovacuum_enabled = false)")
            raw_conn = store.conn
            instrument(store, phases)
            admin.execute("CHECKPOINT")
            scenarios = [
                ("1 initial load", rows, {"inserted": n, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0, "deleted": 0}),
                ("2 identical re-run", rows, {"inserted": 0, "updated": 0, "unchanged": n, "stale": 0, "rejected": 0, "deleted": 0}),
                ("3 mixed 80/10/10", mixed, expect_mixed),
            ]
            out["scenarios"] = []
            for name, batch, expect in scenarios:
                phases.reset()
                before = dead_tuples(admin, raw_conn, "box")
                t0 = time.perf_counter()
                result = store.upsert(TABLE, batch)
                secs = time.perf_counter() - t0
                counts = result.counts()
                after = dead_tuples(admin, raw_conn, "box")
                split = dict(phases.t)
                piped = getattr(store, "pipeline_stats", None)
                store.pipeline_stats = None
                if piped:
                    # The caller's thread: split (key pass), prepare, wait (for the worker);
                    # copy/upsert/count ran on the worker thread, overlapping prepare.
                    split = {"key pass": piped["split"], **split, "wait": piped["wait"]}
                    split["rest"] = secs - piped["split"] - split.get("prepare", 0.0) - piped["wait"]
                else:
                    split["rest"] = secs - sum(split.values())
                rec = {
                    "scenario": name, "rows": len(batch), "seconds": secs, "rows_per_s": len(batch) / secs,
                    "counts": counts, "expected": expect, "counts_ok": counts == expect,
                    "split": split, "pipeline": piped, "n_dead_tup": after["n_dead_tup"],
                    "pgstattuple_dead": after["pgstattuple_dead"],
                    "n_tup_upd": after["n_tup_upd"] - before["n_tup_upd"],
                    "n_tup_hot_upd": after["n_tup_hot_upd"] - before["n_tup_hot_upd"],
                    "n_tup_ins": after["n_tup_ins"] - before["n_tup_ins"],
                }
                out["scenarios"].append(rec)
                log(f"PG scenario {name}: {secs:.2f}s = {len(batch) / secs:,.0f} rows/s; counts {counts} "
                    f"({'OK' if rec['counts_ok'] else 'EXPECTED ' + str(expect)}); "
                    f"split {' '.join(f'{k}={v:.2f}' for k, v in split.items())}; "
                    f"n_dead_tup={after['n_dead_tup']} pgstattuple_dead={after['pgstattuple_dead']} "
                    f"upd={rec['n_tup_upd']} hot={rec['n_tup_hot_upd']}")
                vacuum(admin, "box")
            # The initial load again, written as one statement (the path before the pipeline,
            # and still the path of batches up to store.pipeline_threshold rows), for a
            # comparison within one run.
            plain_table = fieldhouse.Table("box_plain", columns=COLUMNS, primary_key=list(TABLE.primary_key),
                                           version=TABLE.version)
            store.ensure_table(plain_table)
            admin.execute("CHECKPOINT")
            phases.reset()
            threshold, store.pipeline_threshold = store.pipeline_threshold, 10**12
            t0 = time.perf_counter()
            result = store.upsert(plain_table, rows)
            secs = time.perf_counter() - t0
            store.pipeline_threshold = threshold
            split = dict(phases.t)
            split["rest"] = secs - sum(split.values())
            out["one_statement"] = {"scenario": "1 initial load, one statement", "rows": n, "seconds": secs,
                                    "rows_per_s": n / secs, "counts_ok": result.inserted == n, "split": split}
            log(f"PG scenario 1 as one statement: {secs:.2f}s = {n / secs:,.0f} rows/s; "
                f"split {' '.join(f'{k}={v:.2f}' for k, v in split.items())}")
            if args.gc_compare:
                out["gc_compare"] = gc_compare(store, rows, lambda name: admin.execute(f"DROP TABLE {name}"))
            store.close()
            admin.execute("DROP TABLE box")
            admin.execute("DROP TABLE box_plain")

            sample = rows[: min(args.loop_rows, n)]
            secs = loop_reference(admin, sample)
            out["row_loop"] = {"rows": len(sample), "seconds": secs, "rows_per_s": len(sample) / secs}
            log(f"per-row loop: {len(sample)} rows in {secs:.2f}s = {len(sample) / secs:,.0f} rows/s")
    finally:
        with psycopg.connect(args.url, autocommit=True) as root:
            root.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    return out


def gc_compare(store: Any, rows: list[dict[str, Any]], drop) -> dict[str, Any]:
    """Scenario 1 into fresh tables with the cyclic collector on (fieldhouse today) and off
    around the call (what prepare and the pipeline did before: a process-wide
    gc.disable()), alternated, best of two each."""
    import gc

    times: dict[str, list[float]] = {"on": [], "off": []}
    for i, mode in enumerate(["on", "off", "on", "off"]):
        table = fieldhouse.Table(f"box_gc_{i}", columns=COLUMNS, primary_key=list(TABLE.primary_key),
                                 version=TABLE.version)
        store.ensure_table(table)
        gc.collect()
        t0 = time.perf_counter()
        if mode == "off":
            gc.disable()
        try:
            result = store.upsert(table, rows)
        finally:
            gc.enable()
        times[mode].append(time.perf_counter() - t0)
        assert result.inserted == len(rows)
        drop(f"box_gc_{i}")
    best = {k: min(v) for k, v in times.items()}
    log(f"{store.dialect} scenario 1, collector on: {best['on']:.2f}s, off: {best['off']:.2f}s "
        f"(on/off time ratio {best['on'] / best['off']:.3f})")
    return {"seconds": times, "best": best, "on_over_off": best["on"] / best["off"]}


# ----------------------------------------------------------------------------- sqlite

def run_sqlite(args: argparse.Namespace, rows, mixed, expect_mixed) -> dict[str, Any]:
    n = len(rows)
    out: dict[str, Any] = {"scenarios": []}
    with tempfile.TemporaryDirectory() as tmp:
        store = fieldhouse.connect(f"sqlite:///{tmp}/bench.db")
        store.ensure_table(TABLE)
        for name, batch, expect in [
            ("1 initial load", rows, {"inserted": n, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0, "deleted": 0}),
            ("2 identical re-run", rows, {"inserted": 0, "updated": 0, "unchanged": n, "stale": 0, "rejected": 0, "deleted": 0}),
            ("3 mixed 80/10/10", mixed, expect_mixed),
        ]:
            t0 = time.perf_counter()
            result = store.upsert(TABLE, batch)
            secs = time.perf_counter() - t0
            counts = result.counts()
            out["scenarios"].append({"scenario": name, "rows": len(batch), "seconds": secs,
                                     "rows_per_s": len(batch) / secs, "counts": counts,
                                     "counts_ok": counts == expect})
            log(f"SQLite scenario {name}: {secs:.2f}s = {len(batch) / secs:,.0f} rows/s; counts {counts} "
                f"({'OK' if counts == expect else 'EXPECTED ' + str(expect)})")
        if args.gc_compare:
            out["gc_compare"] = gc_compare(
                store, rows, lambda name: store.conn.execute(f'DROP TABLE "{name}"'))
        store.close()
    return out


# ------------------------------------------------------------------------------- main

def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "?")
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram": mem, "python": platform.python_version(),
            "psycopg": psycopg.__version__, "loadavg": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                   help="any database on the server; the scratch database fh_bench is created beside it")
    p.add_argument("--loop-rows", type=int, default=100_000, help="sample size of the per-row loop")
    p.add_argument("--sqlite-rows", type=int, default=200_000, help="0 skips SQLite")
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--gc-compare", action="store_true",
                   help="also time scenario 1 with the cyclic garbage collector switched off around the call")
    args = p.parse_args(argv)

    info = machine()
    log(f"machine: {info}")
    t0 = time.perf_counter()
    rows = make_rows(args.rows)
    mixed, expect_mixed = make_mixed(rows)
    log(f"generated {len(rows)} + {len(mixed)} rows in {time.perf_counter() - t0:.1f}s")

    report: dict[str, Any] = {"machine": info, "args": vars(args)}
    report["postgresql"] = pg = run_postgres(args, rows, mixed, expect_mixed)
    if args.sqlite_rows:
        m = min(args.sqlite_rows, len(rows))
        small = rows[:m]
        small_mixed, small_expect = make_mixed(small)
        report["sqlite"] = run_sqlite(args, small, small_mixed, small_expect)

    ceiling, loop = pg["copy_ceiling"]["rows_per_s"], pg["row_loop"]["rows_per_s"]
    s1, s2, s3 = pg["scenarios"]
    targets = {
        "initial >= 50% of COPY": (s1["rows_per_s"] / ceiling, s1["rows_per_s"] / ceiling >= 0.5),
        "(initial vs binary COPY)": (s1["rows_per_s"] / pg["copy_binary"]["rows_per_s"],
                                     s1["rows_per_s"] / pg["copy_binary"]["rows_per_s"] >= 0.5),
        "initial >= 8x per-row loop": (s1["rows_per_s"] / loop, s1["rows_per_s"] / loop >= 8),
        "re-run no slower than initial": (s2["rows_per_s"] / s1["rows_per_s"], s2["rows_per_s"] >= s1["rows_per_s"]),
        "re-run zero dead tuples": (s2["n_dead_tup"], s2["n_dead_tup"] == 0),
        "mixed dead tuples only for the 10% newer": (
            s3["n_dead_tup"], s3["n_dead_tup"] <= s3["expected"]["updated"]),
        "counts as expected": (None, all(s["counts_ok"] for s in pg["scenarios"])),
    }
    report["targets"] = {k: {"value": v, "met": ok} for k, (v, ok) in targets.items()}

    print(f"\n{'what':32} {'rows':>9} {'seconds':>8} {'rows/s':>9}  dead  split (s)")
    print(f"{'COPY ceiling (a)':32} {pg['copy_ceiling']['rows']:>9} {pg['copy_ceiling']['seconds']:>8.2f} "
          f"{ceiling:>9,.0f}")
    cb = pg["copy_binary"]
    print(f"{'binary COPY (a, stricter)':32} {cb['rows']:>9} {cb['seconds']:>8.2f} {cb['rows_per_s']:>9,.0f}")
    for s in pg["scenarios"]:
        split = " ".join(f"{k}={v:.2f}" for k, v in s["split"].items())
        print(f"{'PG ' + s['scenario']:32} {s['rows']:>9} {s['seconds']:>8.2f} {s['rows_per_s']:>9,.0f} "
              f"{s['n_dead_tup']:>5}  {split}")
    one = pg["one_statement"]
    split = " ".join(f"{k}={v:.2f}" for k, v in one["split"].items())
    print(f"{'PG 1 as one statement':32} {one['rows']:>9} {one['seconds']:>8.2f} {one['rows_per_s']:>9,.0f} "
          f"{'':>5}  {split}")
    print(f"{'per-row loop (b)':32} {pg['row_loop']['rows']:>9} {pg['row_loop']['seconds']:>8.2f} {loop:>9,.0f}")
    for s in report.get("sqlite", {}).get("scenarios", []):
        print(f"{'SQLite ' + s['scenario']:32} {s['rows']:>9} {s['seconds']:>8.2f} {s['rows_per_s']:>9,.0f}")
    for name, part in (("PG", pg), ("SQLite", report.get("sqlite", {}))):
        if "gc_compare" in part:
            best = part["gc_compare"]["best"]
            print(f"{name + ' 1, collector on / off':32} {'':>9} {best['on']:>8.2f} / {best['off']:.2f}  "
                  f"ratio {part['gc_compare']['on_over_off']:.3f}")
    print()
    for k, t in report["targets"].items():
        v = t["value"]
        shown = "" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v))
        print(f"{'MET   ' if t['met'] else 'MISSED'} {k}: {shown}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
