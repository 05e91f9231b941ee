"""Peak memory of ``fieldhouse load`` against the size of the file (issue 9, item 12).  Run by
hand, never by the tests.

    .venv/bin/python benchmarks/load_memory.py [--rows 100000,1000000,5000000] [--postgres URL]
                                               [--pg-rows 100000,1000000] [--json out.json]

For each row count it writes a CSV of payments (8 columns; one customer per 1,000
payments, so the ``customers`` target sees every customer key again in chunk after chunk)
into a temporary folder, then runs the real command in a child process,

    python -m fieldhouse load payments.csv --mapping payments.yaml --db sqlite:///...

and reads the child's peak resident set size from ``wait4`` (``ru_maxrss``).  The baseline,
measured in the same run, is the same command on a file of one row: the interpreter, the
imports and the store.  Reported: peak RSS, the growth over the baseline, and the ratio of
each peak to the baseline and to the smallest file's peak (flat memory: ratios near 1), plus
rows per second for information.  The files are generated a row at a time (bounded memory)
and removed at the end; the CSV of 5M rows takes about 410 MB of disk, the load's spill
files about as much again.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import psycopg

MAPPING = """\
targets:
  customers:
    primary_key: customer_id
    version: updated_at
    columns:
      customer_id: {type: text, path: customer_id}
      name:        {type: text, path: customer_name, nullable: false}
      updated_at:  {type: timestamptz, path: updated_at}
  payments:
    primary_key: payment_id
    version: updated_at
    foreign_keys: [{columns: customer_id, references: customers}]
    columns:
      payment_id:  {type: bigint, path: payment_id}
      customer_id: {type: text, path: customer_id, nullable: false}
      amount:      {type: "decimal(12,2)", path: amount, nullable: false}
      currency:    {type: text, expr: "upper(path('currency'))", nullable: false}
      paid_on:     {type: date, path: paid_on, nullable: false}
      status:      {type: text, path: status, nullable: false}
      updated_at:  {type: timestamptz, path: updated_at}
    checks: ["amount > 0"]
"""
HEADER = ["payment_id", "customer_id", "customer_name", "amount", "currency", "paid_on", "status", "updated_at"]
STATUSES = ("settled", "pending", "refunded")


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i in range(rows):
            day = 1 + i % 28
            out.writerow([1_000_000 + i, f"C-{i // 1000:05d}", f"Customer {i // 1000}", f"{(i % 997) + 1}.{i % 100:02d}",
                          "usd", f"2024-03-{day:02d}", STATUSES[i % 3], f"2024-03-{day:02d}T{i % 24:02d}:00:00Z"])


def peak_of(csv_path: Path, mapping: Path, db: str) -> dict:
    """Run the load under ``wait4`` to read the child's own peak RSS."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child becomes the command
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
            os.dup2(null.fileno(), 2)
        os.execv(sys.executable, [sys.executable, "-m", "fieldhouse", "load", str(csv_path), "--mapping", str(mapping),
                                  "--db", db, "--json"])
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"load of {csv_path} failed with exit code {code}")
    return {"peak_mib": usage.ru_maxrss / 1024, "seconds": seconds}


def measure(label: str, db_for, sizes: list[int], folder: Path, mapping: Path) -> list[dict]:
    results = []
    one = folder / "one.csv"
    write_csv(one, 1)
    base = peak_of(one, mapping, db_for("baseline"))
    print(f"{label}: baseline (1 row) peak {base['peak_mib']:.0f} MiB", flush=True)
    results.append({"store": label, "rows": 1, **base})
    for rows in sizes:
        path = folder / f"payments_{rows}.csv"
        write_csv(path, rows)
        got = peak_of(path, mapping, db_for(str(rows)))
        path.unlink()
        got.update(store=label, rows=rows, rows_per_s=rows / got["seconds"])
        print(f"{label}: {rows:>9,} rows peak {got['peak_mib']:.0f} MiB in {got['seconds']:.0f} s "
              f"({got['rows_per_s']:,.0f} rows/s)", flush=True)
        results.append(got)
    smallest = results[1]["peak_mib"] if len(results) > 1 else base["peak_mib"]
    for r in results:
        r["growth_mib"] = r["peak_mib"] - base["peak_mib"]
        r["x_baseline"] = r["peak_mib"] / base["peak_mib"]
        r["x_smallest"] = r["peak_mib"] / smallest
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,1000000,5000000")
    parser.add_argument("--postgres", help="an admin URL: measure PostgreSQL too (a scratch database per file)")
    parser.add_argument("--pg-rows", default="100000,1000000")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    results: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="fh-load-bench-") as tmp:
        folder = Path(tmp)
        mapping = folder / "payments.yaml"
        mapping.write_text(MAPPING)
        results += measure("sqlite", lambda name: f"sqlite:///{folder / f'{name}.db'}",
                           [int(n) for n in args.rows.split(",")], folder, mapping)
        for db in folder.glob("*.db*"):
            db.unlink()
        if args.postgres:
            admin = args.postgres
            made: list[str] = []

            def pg_for(name: str) -> str:
                db = f"fh_load_bench_{name}"
                with psycopg.connect(admin, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
                    conn.execute(f'CREATE DATABASE "{db}"')
                made.append(db)
                return admin.rsplit("/", 1)[0] + "/" + db

            try:
                results += measure("postgresql", pg_for, [int(n) for n in args.pg_rows.split(",")], folder, mapping)
            finally:
                with psycopg.connect(admin, autocommit=True) as conn:
                    for db in made:
                        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    print(f"\n{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs")
    print("| store | rows | peak RSS (MiB) | over baseline (MiB) | x baseline | x smallest | seconds | rows/s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['store']} | {r['rows']:,} | {r['peak_mib']:.0f} | {r['growth_mib']:.0f} | {r['x_baseline']:.2f} | "
              f"{r['x_smallest']:.2f} | {r['seconds']:.1f} | {r.get('rows_per_s', 0):,.0f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
