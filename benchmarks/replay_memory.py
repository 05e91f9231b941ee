"""Peak memory of replay and archive export over many stored responses (issue 10: "replay
and export stream").  Run by hand, never by the tests.

    .venv/bin/python benchmarks/replay_memory.py [--counts 1000,10000] [--url postgresql://...]

For each count N and each store (a SQLite file in a temporary folder; PostgreSQL in a
scratch database ``fh_bench_replay`` beside ``--url``, dropped at the end) it stores N
responses in ``fieldhouse_raw`` (one real recorded NBA box score, about 16 KB, under N
different requests, as ``land`` stores them), then measures in a fresh process each:

* ``replay``: ``fieldhouse.sources.replay.replay`` with a handler that only counts;
* ``export``: ``fieldhouse.sources.archive.export_archive`` into an empty folder;
* ``whole-table read`` (the reference, in the same run): ``store.rows(RAW_TABLE)`` and the
  responses decoded one by one, which is what replay and export did before they streamed.

Each figure is the process's peak RSS (``ru_maxrss``) at the end, and how much of it the
operation added to the peak the process had once fieldhouse was imported and the store
connected (0 when the operation fitted in memory the process already had).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BODY = Path("nba") / "boxscoretraditionalv3" / "boxscoretraditionalv3_0022200552.json"
T0 = datetime(2019, 5, 3, 20, 0, tzinfo=UTC)
DB = "fh_bench_replay"


def fixtures() -> Path:
    here = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
    return Path(os.environ.get("FIELDHOUSE_FIXTURES", here))


def rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def fill(url: str, n: int) -> None:
    import fieldhouse
    from fieldhouse.sources.http.response import content_hash
    from fieldhouse.sources.raw import RAW_TABLE, RawResponse, raw_row

    body = (fixtures() / BODY).read_bytes()
    with fieldhouse.connect(url) as store:
        store.ensure_table(RAW_TABLE)
        first = RawResponse("nba", "boxscoretraditionalv3", {"GameID": "0"}, T0, content_hash(body), body)
        stored = raw_row(first)
        for start in range(0, n, 2000):
            rows = [{**stored, "params": json.dumps({"GameID": f"{i:010d}"}, separators=(",", ":")),
                     "captured_at": T0 + timedelta(seconds=i)} for i in range(start, min(n, start + 2000))]
            store.insert_new(RAW_TABLE, rows)


def child(what: str, url: str, folder: str | None) -> dict:
    import fieldhouse
    from fieldhouse.sources.archive import export_archive
    from fieldhouse.sources.raw import RAW_TABLE, RawResponse
    from fieldhouse.sources.replay import Registry, replay

    with fieldhouse.connect(url) as store:
        store.count(RAW_TABLE)
        before = rss_kb()
        t0 = time.perf_counter()
        if what == "replay":
            reg = Registry()
            reg.register("nba", "boxscoretraditionalv3", lambda s, raw: {})
            n = replay(store, reg=reg).responses
        elif what == "export":
            n = export_archive(store, folder).added
        else:  # the reference: what replay and export did before they streamed
            rows = store.rows(RAW_TABLE)
            rows.sort(key=lambda r: (r["captured_at"], r["source"], r["endpoint"], r["params"]))
            n = sum(1 for _ in (RawResponse.from_row(r) for r in rows))
        seconds = time.perf_counter() - t0
    return {"responses": n, "seconds": seconds, "rss_before_mb": before / 1024, "peak_mb": rss_kb() / 1024,
            "added_mb": (rss_kb() - before) / 1024}


def measure(what: str, url: str) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        out = subprocess.run([sys.executable, __file__, "--child", what, "--url", url, "--dir", folder],
                             check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--counts", default="1000,10000")
    p.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                   help="any database on the server; the scratch database is created beside it ('' skips PostgreSQL)")
    p.add_argument("--child", help=argparse.SUPPRESS)
    p.add_argument("--dir", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.url, args.dir)))
        return 0

    import psycopg

    results = []
    for n in [int(c) for c in args.counts.split(",")]:
        stores = []
        with tempfile.TemporaryDirectory() as tmp:
            stores.append(("sqlite", f"sqlite:///{tmp}/raw.db"))
            if args.url:
                with psycopg.connect(args.url, autocommit=True) as root:
                    root.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
                    root.execute(f"CREATE DATABASE {DB}")
                stores.append(("postgresql", with_database(args.url, DB)))
            try:
                for name, url in stores:
                    fill(url, n)
                    for what in ("replay", "export", "whole-table read"):
                        rec = {"store": name, "responses": n, "what": what, **measure(what, url)}
                        results.append(rec)
                        print(f"{name:10} {n:>6} {what:17} peak {rec['peak_mb']:6.1f} MB "
                              f"(+{rec['added_mb']:5.1f} MB)  {rec['seconds']:6.2f} s", file=sys.stderr, flush=True)
            finally:
                if args.url:
                    with psycopg.connect(args.url, autocommit=True) as root:
                        root.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
