"""An MLB season from files (issue 11, "Measured"): the real recorded Final feeds replicated
with new gamePks to a season's 2,430 games, through ``fieldhouse sync mlb --from-files`` into
PostgreSQL (or SQLite).  Run by hand, never by the tests.

    .venv/bin/python benchmarks/mlb_season.py [--games 2430] [--db postgresql://postgres@127.0.0.1:5432/postgres]
                                              [--fixtures ../shared/fixtures/mlb] [--profile 40]

The feeds are written to a temporary folder as gzipped JSON, one per game, each a copy of
one of the real Final feeds with its gamePk changed (``gamePk`` and ``gameData.game.pk``).
The sync runs in a child process (``python -m fieldhouse sync mlb --from-files DIR --json``)
whose peak RSS is read from ``wait4``.  The baseline, measured in the same run, is the floor
every reader pays: reading, decompressing and parsing every file once, in a child process.
Reported: games/s, rows/s per table, peak RSS, the ratio to the baseline, and (``--profile
N``) where the time goes: a cProfile of ``N`` games in-process, by module.
"""

from __future__ import annotations

import argparse
import copy
import cProfile
import gzip
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path


def finals(fixtures: Path) -> list[dict]:
    out = []
    for path in sorted((fixtures / "liveGameV1").glob("liveGameV1_*Final*.json.gz")):
        out.append(json.loads(gzip.decompress(path.read_bytes())))
    if not out:
        raise SystemExit(f"no Final feeds under {fixtures / 'liveGameV1'}")
    return out


def write_season(folder: Path, feeds: list[dict], games: int) -> None:
    for i in range(games):
        data = copy.deepcopy(feeds[i % len(feeds)])
        pk = 900_000 + i
        data["gamePk"] = pk
        data.setdefault("gameData", {}).setdefault("game", {})["pk"] = pk
        (folder / f"feed_{pk}.json.gz").write_bytes(gzip.compress(json.dumps(data).encode(), compresslevel=1))


def child(args: list[str]) -> tuple[float, float, str]:
    """Run ``args`` as a child process: (seconds, peak RSS MiB, stdout)."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, "FIELDHOUSE_LOG_FILE": ""})
    out = proc.stdout.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, out


PARSE_ALL = """
import gzip, json, sys, pathlib
for p in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    json.loads(gzip.decompress(p.read_bytes()))
"""


def scratch_db(url: str) -> tuple[str, callable]:
    if url.startswith("sqlite"):
        path = Path(tempfile.mkdtemp()) / "season.db"
        return f"sqlite:///{path}", lambda: None
    import psycopg

    name = f"fh_bench_mlb_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.rsplit("/", 1)[0] + "/" + name, drop


def profile(folder: Path, n: int) -> list[tuple[str, float]]:
    """Where the time of ``n`` games goes, by top-level module (tottime summed)."""
    import fieldhouse

    small = Path(tempfile.mkdtemp())
    for p in sorted(folder.iterdir())[:n]:
        (small / p.name).write_bytes(p.read_bytes())
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'profile.db'}"  # not in the folder it reads
    prof = cProfile.Profile()
    prof.enable()
    fieldhouse.sync("mlb", fieldhouse.Settings(database_url=url), from_files=str(small))
    prof.disable()
    by_module: dict[str, float] = defaultdict(float)
    for (file, _, _), (_, _, tottime, _, _) in pstats.Stats(prof).stats.items():
        marker = "fieldhouse/"
        if marker in file:
            key = "fieldhouse." + file.split(marker, 1)[1].removesuffix(".py").replace("/", ".")
        elif "site-packages/" in file:
            key = file.split("site-packages/", 1)[1].split("/", 1)[0]
        else:
            key = "python (stdlib, builtins)"
        by_module[key] += tottime
    total = sum(by_module.values()) or 1.0
    return sorted(((k, v / total) for k, v in by_module.items()), key=lambda kv: -kv[1])[:10]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=2430)
    parser.add_argument("--db", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--fixtures", default=str(Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "mlb"))
    parser.add_argument("--profile", type=int, default=0, help="profile this many games in-process (SQLite)")
    args = parser.parse_args()
    if not 1 <= args.games <= 20_000:
        raise SystemExit("--games: 1 to 20000")
    feeds = finals(Path(args.fixtures))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_season(folder, feeds, args.games)
        base_s, base_mb, _ = child([sys.executable, "-c", PARSE_ALL, str(folder)])
        url, drop = scratch_db(args.db)
        try:
            secs, peak, out = child([sys.executable, "-m", "fieldhouse", "sync", "mlb", "--from-files", str(folder),
                                     "--db", url, "--json"])
        finally:
            drop()
        report = json.loads(out)
        print(f"{args.games} games from {len(feeds)} real Final feeds, into {url.split('://')[0]}")
        print(f"status {report['status']}; {secs:.1f} s = {args.games / secs:.1f} games/s; peak RSS {peak:.0f} MiB")
        print(f"baseline (read + parse every file once): {base_s:.1f} s, {base_mb:.0f} MiB; "
              f"sync / baseline = {secs / base_s:.1f}x")
        print("| table | rows written | rows/s |\n|---|---:|---:|")
        for name, counts in sorted(report["tables"].items()):
            written = counts["inserted"] + counts["updated"]
            print(f"| {name} | {written:,} | {written / secs:,.0f} |")
        if args.profile:
            print(f"\nwhere the time goes ({args.profile} games, SQLite, share of profiled time):")
            for module, share in profile(folder, args.profile):
                print(f"  {share:6.1%}  {module}")


if __name__ == "__main__":
    main()
