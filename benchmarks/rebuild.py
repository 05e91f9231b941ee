"""Rebuild from the raw zone (issue 14, "Measured"): an MLB archive built the way
benchmarks/mlb_season.py builds a season (the real recorded Final feeds replicated with new
gamePks), landed once in a control database by ``sync mlb --from-files``, then replayed into
a fresh data database with each executor: ``local`` (the baseline, measured in the same
run), ``dask`` (a local cluster of 2 worker processes) and ``spark`` (``local[2]``).
Run by hand, never by the tests.

    .venv/bin/python benchmarks/rebuild.py [--games 2430] [--executors local,dask,spark]
                                           [--db postgresql://postgres@127.0.0.1:5432/postgres]

Reported per executor: seconds, games/s, speed-up over local, and whether the rebuilt
tables have the same row counts as the local rebuild.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mlb_season import finals, scratch_db, write_season  # noqa: E402

import fieldhouse  # noqa: E402
from fieldhouse.runs.executors import open_executor  # noqa: E402
from fieldhouse.sources import registry  # noqa: E402


def row_counts(url: str) -> dict[str, int]:
    with fieldhouse.connect(url) as store:
        return {n: store.count(t) if store.table_exists(t) else 0 for n, t in sorted(registry.get("mlb").tables().items())}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--games", type=int, default=2430)
    parser.add_argument("--executors", default="local,dask,spark")
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--fixtures", default=str(Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "mlb"))
    args = parser.parse_args()
    control_url, drop_control = scratch_db(args.db)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            write_season(Path(tmp), finals(Path(args.fixtures)), args.games)
            start = time.perf_counter()
            report = fieldhouse.sync("mlb", fieldhouse.Settings(database_url=control_url), from_files=tmp)
            print(f"landed {args.games} games in {time.perf_counter() - start:.1f} s ({report.status})", flush=True)
        results, base, base_counts = [], None, None
        for kind in args.executors.split(","):
            data_url, drop = scratch_db(args.db)
            try:
                with open_executor(kind) as running:  # cluster start-up not timed
                    with fieldhouse.connect(data_url) as data, fieldhouse.connect(control_url) as control:
                        start = time.perf_counter()
                        replayed = fieldhouse.replay(data, control=control, source="mlb", executor=running)
                        seconds = time.perf_counter() - start
                counts = row_counts(data_url)
            finally:
                drop()
            base = base or seconds
            base_counts = base_counts or counts
            line = (f"{kind:6} {seconds:7.1f} s  {args.games / seconds:6.2f} games/s  speed-up {base / seconds:4.2f}x  "
                    f"responses {replayed.responses}  failures {len(replayed.failures)}  "
                    f"same rows as local: {counts == base_counts}")
            if counts != base_counts:
                print("  differs:", {t: (n, base_counts.get(t)) for t, n in counts.items() if n != base_counts.get(t)})
            for failure in replayed.failures[:3]:
                print("  failed:", failure)
            results.append(line)
            print(line, flush=True)
    finally:
        drop_control()


if __name__ == "__main__":
    main()
