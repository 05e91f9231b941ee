"""What the run's per-column fill counts (schema_drift) and conflict log cost: one run of
units writing N rows (half of them then rewritten by an older batch, so stale and logged)
with the counting on, against the same run with it off, in the same process, medians of 3.

    .venv/bin/python benchmarks/fill_counts.py [--rows 100000]     (a fresh SQLite database per run)
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

from fieldhouse import Table, UnitResult, connect
from fieldhouse.runs import execute, execute_run
from fieldhouse.settings import Settings

COLUMNS = {f"c{i}": "int" for i in range(20)}
TABLE = Table("bench.fill", {"k": "text", **COLUMNS, "captured_at": "timestamptz"}, ["k"], "captured_at")
NEW = datetime(2024, 1, 2, tzinfo=UTC)


class Unit:
    def __init__(self, key: str, rows: list[dict]) -> None:
        self.key, self.kind, self.rows = key, "bench", rows

    def fetch(self):
        return self.rows

    def write(self, store, fetched):
        return UnitResult({TABLE.name: store.upsert(TABLE, fetched)})


def rows(n: int, at: datetime, start: int = 0) -> list[dict]:
    return [{"k": f"k{i}", **{c: (i if i % 4 else None) for c in COLUMNS}, "captured_at": at}
            for i in range(start, start + n)]


def one(url: str, n: int, counting: bool) -> float:
    settings = Settings(database_url=url, run_lock_wait=1)
    units = [Unit(f"bench/{u}", rows(n // 10, NEW, u * n // 10)) for u in range(10)]
    older = [Unit(f"bench/old/{u}", rows(n // 20, NEW - timedelta(days=1), u * n // 10)) for u in range(10)]
    patch = contextlib.nullcontext() if counting else mock.patch.object(
        execute, "watching", lambda *a, **k: contextlib.nullcontext())
    with connect(url) as store, patch:
        store.ensure_table(TABLE)
        started = time.perf_counter()
        execute_run(store, source="bench", command="sync", units=units + older, settings=settings)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    times: dict[bool, list[float]] = {True: [], False: []}
    for _ in range(3):
        for counting in (False, True):
            with tempfile.TemporaryDirectory() as tmp:
                url = f"sqlite:///{Path(tmp) / 'bench.db'}"
                times[counting].append(one(url, args.rows, counting))
    off, on = statistics.median(times[False]), statistics.median(times[True])
    total = args.rows + args.rows // 2
    print(f"{total} rows written ({args.rows // 2} stale, logged up to the sample of 1000)")
    print(f"counting off: {off:.2f} s ({total / off:,.0f} rows/s)")
    print(f"counting on:  {on:.2f} s ({total / on:,.0f} rows/s): {on / off:.3f}x the time")


if __name__ == "__main__":
    main()
