"""Partitioned PostgreSQL (issue 14): the upsert of one season into a table holding ten,
into a table LIST-partitioned by season and into the same table unpartitioned (the
baseline, measured in the same run).  Run by hand, never by the tests.

    .venv/bin/python benchmarks/pg_partitions.py [--rows-per-season 50000] [--seasons 10]
                                                 [--db postgresql://postgres@127.0.0.1:5432/postgres]

Per layout: the initial load of the ten seasons, then (best of 3) the re-upsert of one
stored season unchanged, one stored season with 10 % of its rows newer, a new (eleventh)
season, and the read of one season.  Reported: seconds and the ratio partitioned/plain.
"""

# ruff: noqa: B023  (the lambdas are timed at once, inside their loop turn)
from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
import psycopg  # noqa: E402

import fieldhouse  # noqa: E402

T0 = datetime(2024, 1, 1, tzinfo=UTC)


def table(partitioned: bool) -> fieldhouse.Table:
    return fieldhouse.Table(
        "bench.player_games",
        columns={"season": "text", "game_id": "int", "player_id": "int", "pts": "int", "reb": "int",
                 "minutes": "text", "captured_at": "timestamptz"},
        primary_key=["season", "game_id", "player_id"], version="captured_at",
        partition_by=["season"] if partitioned else None)


def season(year: int, n: int, day: int = 0, changed: float = 0.0) -> list[dict]:
    name = f"{year}-{(year + 1) % 100:02d}"
    rows = []
    for i in range(n):
        newer = changed and i % int(1 / changed) == 0
        rows.append({"season": name, "game_id": i // 20, "player_id": i % 20, "pts": i % 40 + (1 if newer else 0),
                     "reb": i % 13, "minutes": f"{i % 48}:00",
                     "captured_at": T0 + timedelta(days=day + (1 if newer else 0))})
    return rows


def best(fn, times: int = 3) -> float:
    out = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return min(out)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows-per-season", type=int, default=50_000)
    parser.add_argument("--seasons", type=int, default=10)
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    n = args.rows_per_season
    results: dict[str, dict[str, float]] = {}
    for partitioned in (False, True):
        name = f"fh_bench_parts_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.db, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            url = args.db.rsplit("/", 1)[0] + "/" + name
            t = table(partitioned)
            with fieldhouse.connect(url) as store:
                store.ensure_table(t)
                start = time.perf_counter()
                for year in range(2010, 2010 + args.seasons):
                    store.upsert(t, season(year, n))
                load = time.perf_counter() - start
                store.conn.execute("ANALYZE bench.player_games")
                mid = 2010 + args.seasons // 2
                unchanged = best(lambda: store.upsert(t, season(mid, n)))
                step = iter(range(1, 100))
                changed = best(lambda: store.upsert(t, season(mid, n, day=next(step) * 2, changed=0.1)))
                years = iter(range(2010 + args.seasons, 2010 + args.seasons + 3))
                new = best(lambda: store.upsert(t, season(next(years), n)))
                read = best(lambda: store.rows(t, where={"season": f"{mid}-{(mid + 1) % 100:02d}"}))
            results["partitioned" if partitioned else "plain"] = {
                "initial load": load, "one season unchanged": unchanged, "one season, 10 % newer": changed,
                "a new season": new, "read one season": read}
        finally:
            with psycopg.connect(args.db, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"{args.seasons} seasons x {n:,} rows; upserts of one season of {n:,} rows (best of 3)")
    print(f"{'':26} {'plain s':>9} {'partitioned s':>14} {'ratio':>6}")
    for what in results["plain"]:
        a, b = results["plain"][what], results["partitioned"][what]
        print(f"{what:26} {a:9.2f} {b:14.2f} {b / a:6.2f}")


if __name__ == "__main__":
    main()
