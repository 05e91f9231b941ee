"""``fieldhouse load`` of a large CSV into PostgreSQL (issue 13, goal 4) against ``psql
\\copy`` into a keyed table and dlt's merge, measured in the same run.  Run by hand, never by
the tests.

    .venv/bin/python benchmarks/load_csv.py [--rows 1000000] [--dlt-rows 200000]
        [--dlt-python /tmp/dltvenv/bin/python] [--url postgresql://postgres@127.0.0.1:5432/postgres]

The CSV (8 columns: payment_id, customer_id, customer_name, amount, paid_on, status,
refunded, updated_at; about 80 bytes a row) is written to a temporary folder.  Each tool
loads it into an empty table of its own scratch database, in a child process whose wall
time and peak RSS (``wait4``) are measured:

* ``psql \\copy`` into ``payments`` with ``PRIMARY KEY (payment_id)`` and the same typed
  columns: the floor (no merge, no version rule, no counts);
* ``fieldhouse load payments.csv --mapping payments.yaml --db URL`` (one target, every
  column a path, version ``updated_at``): the whole file in one transaction;
* dlt (``--dlt-python``: a Python with ``dlt[postgres]``, kept out of fieldhouse's venv)
  ``pipeline.run(rows, write_disposition="merge", primary_key="payment_id")`` over
  ``csv.DictReader`` of the first ``--dlt-rows`` rows (dlt is slow: the whole file would
  take minutes).  Without ``--dlt-python`` dlt is skipped and said so.

Reported: seconds, rows/s, peak RSS, and fieldhouse's rows/s as a multiple of each
reference's rows/s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

MAPPING = """\
targets:
  payments:
    primary_key: payment_id
    version: updated_at
    columns:
      payment_id:    {type: bigint, path: payment_id}
      customer_id:   {type: text, path: customer_id, nullable: false}
      customer_name: {type: text, path: customer_name}
      amount:        {type: "decimal(12,2)", path: amount, nullable: false}
      paid_on:       {type: date, path: paid_on, nullable: false}
      status:        {type: text, path: status, nullable: false}
      refunded:      {type: bool, path: refunded}
      updated_at:    {type: timestamptz, path: updated_at}
"""
HEADER = ["payment_id", "customer_id", "customer_name", "amount", "paid_on", "status", "refunded", "updated_at"]
PSQL_TABLE = """CREATE TABLE payments (payment_id bigint PRIMARY KEY, customer_id text NOT NULL,
 customer_name text, amount numeric(12,2) NOT NULL, paid_on date NOT NULL, status text NOT NULL,
 refunded boolean, updated_at timestamptz NOT NULL)"""

DLT = """
import csv, sys, dlt
path, url, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
def rows():
    with open(path, newline="") as f:
        for i, row in enumerate(csv.DictReader(f)):
            if i >= limit:
                return
            yield row
pipe = dlt.pipeline(pipeline_name="fh_bench", destination=dlt.destinations.postgres(url), dataset_name="bench",
                    pipelines_dir=sys.argv[4])
info = pipe.run(rows(), table_name="payments", write_disposition="merge", primary_key="payment_id")
print(info)
"""


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(rows):
            w.writerow([i, f"c{i // 1000}", f"Customer {i // 1000}", f"{(i % 9973) / 100 + 1:.2f}",
                        f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}", ("settled", "pending", "refunded")[i % 3],
                        ("true", "false")[i % 2], f"2024-05-01T12:{i % 60:02d}:{i % 60:02d}Z"])


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS (MiB) and stdout of a child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or os.environ)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed: {err.decode()[-2000:]}")
    return took, usage.ru_maxrss / 1024, out.decode()


class Scratch:
    def __init__(self, url: str) -> None:
        self.admin = url
        self.name = f"fh_bench_load_{uuid.uuid4().hex[:8]}"
        self.url = url.rsplit("/", 1)[0] + "/" + self.name

    def __enter__(self) -> Scratch:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc: object) -> None:
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dlt-rows", type=int, default=200_000)
    parser.add_argument("--dlt-python")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--json")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        data, mapping = folder / "payments.csv", folder / "payments.yaml"
        write_csv(data, args.rows)
        mapping.write_text(MAPPING)
        print(f"{args.rows:,} rows, {data.stat().st_size / 1e6:.0f} MB of CSV")

        with Scratch(args.url) as db:
            with psycopg.connect(db.url, autocommit=True) as conn:
                conn.execute(PSQL_TABLE)
            host = psycopg.conninfo.conninfo_to_dict(db.url)
            took, rss, _ = timed(["psql", "-h", host.get("host", "127.0.0.1"), "-U", host.get("user", "postgres"),
                                  "-d", db.name, "-v", "ON_ERROR_STOP=1", "-c",
                                  f"\\copy payments FROM '{data}' WITH (FORMAT csv, HEADER true)"])
            results["psql \\copy (keyed table)"] = {"rows": args.rows, "seconds": took, "rss": rss}

        with Scratch(args.url) as db:
            env = {**os.environ, "FIELDHOUSE_LOG_FILE": ""}
            took, rss, out = timed([sys.executable, "-m", "fieldhouse", "load", str(data), "--mapping", str(mapping),
                                    "--db", db.url, "--json"], env)
            report = json.loads(out)
            results["fieldhouse load"] = {"rows": args.rows, "seconds": took, "rss": rss}
            print("fieldhouse counts:", json.dumps(report.get("tables", report))[:300])

        if args.dlt_python:
            with Scratch(args.url) as db:
                script = folder / "dlt_load.py"
                script.write_text(DLT)
                # dlt insists on a password; the trust-auth server of this machine ignores it
                dlt_url = db.url if "@" not in db.url or ":" in db.url.split("//", 1)[1].split("@")[0] \
                    else db.url.replace("@", ":unused@", 1)
                took, rss, _ = timed([args.dlt_python, str(script), str(data), dlt_url, str(args.dlt_rows),
                                      str(folder / "dlt")])
                results["dlt merge"] = {"rows": min(args.dlt_rows, args.rows), "seconds": took, "rss": rss}
        else:
            print("dlt: skipped (no --dlt-python given)")

    mine = results["fieldhouse load"]["rows"] / results["fieldhouse load"]["seconds"]
    print("\n| tool | rows | seconds | rows/s | peak RSS (MiB) | fieldhouse x |\n|---|---:|---:|---:|---:|---:|")
    for name, r in results.items():
        rate = r["rows"] / r["seconds"]
        r["rows_s"] = rate
        print(f"| {name} | {r['rows']:,} | {r['seconds']:.1f} | {rate:,.0f} | {r['rss']:.0f} | {mine / rate:.2f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
