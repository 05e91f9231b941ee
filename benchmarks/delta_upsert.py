"""The Delta lake store's upsert against a plain delta-rs append and the PostgreSQL store.

    python benchmarks/delta_upsert.py [--rows 1000000] [--batch 250000] [--pg postgresql://...]

Scenarios, each on the same generated rows (a game-log-like table, partitioned by season):
  1. initial load into an empty table;
  2. the identical rows again (nothing changes: no new table version);
  3. 80/10/10: 80 % identical, 10 % newer versions of stored keys, 10 % new keys.
The ceiling is ``write_deltalake(mode="append")`` of the same rows as one Arrow table (no
classification, no rank, no merge); PostgreSQL runs the same store.upsert batches.  Prints
rows/s and ratios (measured in the same run; see docs/performance.md, "Delta lake store").
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta

import fieldhouse
from fieldhouse.stores import delta_arrow
from fieldhouse.stores.prepare import prepare

T0 = datetime(2024, 1, 1, tzinfo=UTC)
TABLE = fieldhouse.Table(
    "bench.game_log",
    columns={"season": "text", "game_id": "bigint", "player_id": "bigint", "team": "text", "pts": "int",
             "minutes": "decimal(5,1)", "game_date": "date", "captured_at": "timestamptz"},
    primary_key=["season", "game_id", "player_id"], version="captured_at", partition_by=["season"],
)


def rows(n: int, seed: int = 1, day: int = 0, offset: int = 0) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for i in range(offset, offset + n):
        season = str(2015 + i % 10)
        out.append({"season": season, "game_id": i // 20, "player_id": i % 20, "team": "BOS",
                    "pts": rnd.randint(0, 50), "minutes": f"{rnd.randint(0, 480) / 10:.1f}",
                    "game_date": (T0 + timedelta(days=i % 300)).date(),
                    "captured_at": T0 + timedelta(days=day)})
    return out


def mix(n: int) -> list[dict]:
    """80 % identical to the load, 10 % newer versions (changed pts), 10 % new keys."""
    base = rows(n)
    cut1, cut2 = int(n * 0.8), int(n * 0.9)
    newer = [{**r, "pts": r["pts"] + 1, "captured_at": T0 + timedelta(days=1)} for r in base[cut1:cut2]]
    return base[:cut1] + newer + rows(n - cut2, seed=2, offset=n)


def timed(label: str, fn, n: int, results: dict) -> float:
    t = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t
    results[label] = dt
    print(f"{label:44s} {dt:8.2f} s  {n / dt:10.0f} rows/s  {out if out is not None else ''}", flush=True)
    return dt


def upsert_all(store, data, batch):
    total = None
    for i in range(0, len(data), batch):
        r = store.upsert(TABLE, data[i:i + batch])
        total = r if total is None else (total.__iadd__(r))
    return total


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--batch", type=int, default=250_000)
    ap.add_argument("--pg", default=os.environ.get("FIELDHOUSE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = ap.parse_args()
    n = args.rows
    root = tempfile.mkdtemp(prefix="fh-delta-bench-")
    res: dict[str, float] = {}
    print(f"{n} rows, batches of {args.batch}; lake in {root}")
    load, again, mixed = rows(n), rows(n), mix(n)
    try:
        # the ceiling: one Arrow table appended (rows prepared outside the timing)
        from deltalake import write_deltalake

        prepared = prepare(TABLE, load).rows
        arrow_table = delta_arrow.to_arrow(TABLE, prepared, None)
        timed("write_deltalake append (ceiling)", lambda: write_deltalake(
            os.path.join(root, "plain"), arrow_table, partition_by=["season"]), n, res)

        with fieldhouse.connect(f"delta://{root}/lake") as lake:
            timed("delta store: initial load", lambda: upsert_all(lake, load, args.batch), n, res)
            v = lake.open_table(TABLE).version()
            timed("delta store: identical re-run", lambda: upsert_all(lake, again, args.batch), n, res)
            print(f"  table version before/after the identical re-run: {v} / {lake.open_table(TABLE).version()}")
            timed("delta store: 80/10/10", lambda: upsert_all(lake, mixed, args.batch), n, res)

        import psycopg

        name = f"fh_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.pg.rsplit("/", 1)[0] + "/" + name
            with fieldhouse.connect(url) as pg:
                timed("postgresql store: initial load", lambda: upsert_all(pg, load, args.batch), n, res)
                timed("postgresql store: identical re-run", lambda: upsert_all(pg, again, args.batch), n, res)
                timed("postgresql store: 80/10/10", lambda: upsert_all(pg, mixed, args.batch), n, res)
        finally:
            with psycopg.connect(args.pg, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        shutil.rmtree(root, ignore_errors=True)
    ceiling = res["write_deltalake append (ceiling)"]
    print("\nratios (time / ceiling; time / postgresql of the same scenario)")
    for scen in ("initial load", "identical re-run", "80/10/10"):
        d, p = res[f"delta store: {scen}"], res[f"postgresql store: {scen}"]
        print(f"  {scen:18s} delta/append {d / ceiling:6.2f}   delta/postgresql {d / p:6.2f}")


if __name__ == "__main__":
    sys.exit(main())
