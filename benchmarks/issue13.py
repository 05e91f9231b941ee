"""Issue 13, goals 1-3 (the stores): fieldhouse against each goal's reference, in one run.
Run by hand, never by the tests.

    .venv/bin/python benchmarks/issue13.py [--pg-rows 1000000] [--loop-rows 20000]
        [--sqlite-rows 200000] [--repeat 3] [--json FILE]

Rows are the synthetic box scores of benchmarks/upsert.py (24 columns, key (game_id,
player_id), version captured_at).  Each measure is taken ``--repeat`` times (each time into
fresh tables) and the median reported; every ratio compares medians of the same run.

PostgreSQL (scratch database ``fh_bench13``, dropped at the end):

* staged merge (goal 1's reference): binary COPY into a temporary table + one
  ``INSERT ... SELECT ... ON CONFLICT DO UPDATE ... WHERE EXCLUDED.captured_at > t.captured_at``;
* COPY ``write_row``: text COPY into the keyed table (binary COPY shown for information);
* the per-row ``INSERT ... ON CONFLICT`` loop, on the first ``--loop-rows`` rows;
* fieldhouse initial load, identical re-run and the 80/10/10 batch: rows/s, the WAL the
  batch wrote for the table and its index (pg_walinspect: records whose block reference
  names them; the server-wide WAL is shown too, other databases on a shared server included),
  and the dead tuples after it (the table is VACUUMed between scenarios).

SQLite (a temporary folder): plain ``executemany(INSERT ... ON CONFLICT DO UPDATE ...
WHERE excluded.captured_at > captured_at)`` in one transaction, sqlite-utils ``upsert_all``
(skipped, and said so, if sqlite-utils is not installed), and fieldhouse's three scenarios.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

import fieldhouse

sys.path.insert(0, str(Path(__file__).resolve().parent))
from upsert import (
    COLUMNS,
    NAMES,
    PG_TYPES,
    TABLE,
    admin_url,
    copy_reference,
    dead_tuples,
    loop_reference,
    make_mixed,  # noqa: E402
    make_rows,
    table_ddl,
    vacuum,
)

DB = "fh_bench13"
KEY = ("game_id", "player_id")
SETS = ", ".join(f"{c} = EXCLUDED.{c}" for c in NAMES if c not in KEY)


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


# ----------------------------------------------------------------------------- PostgreSQL

def staged_merge(conn: psycopg.Connection, rows: list[dict[str, Any]], name: str) -> float:
    conn.execute(table_ddl(name))
    conn.execute("CHECKPOINT")
    cols = ", ".join(NAMES)
    t0 = time.perf_counter()
    with conn.transaction():
        conn.execute(f"CREATE TEMP TABLE stage (LIKE {name}) ON COMMIT DROP")
        with conn.cursor() as cur, cur.copy(f"COPY stage ({cols}) FROM STDIN (FORMAT BINARY)") as cp:
            cp.set_types([PG_TYPES[t] for t in COLUMNS.values()])
            for row in rows:
                cp.write_row(tuple(row.values()))
        conn.execute(f"INSERT INTO {name} AS t ({cols}) SELECT {cols} FROM stage "  # noqa: S608
                     f"ON CONFLICT (game_id, player_id) DO UPDATE SET {SETS} "
                     "WHERE EXCLUDED.captured_at > t.captured_at")
    return time.perf_counter() - t0


def wal_of(admin: psycopg.Connection, table: str, start: str, end: str) -> dict[str, int]:
    """WAL records between ``start`` and ``end`` that touch ``table`` or its primary key."""
    nodes = [r[0] for r in admin.execute(
        "SELECT pg_relation_filenode(oid) FROM pg_class WHERE oid IN (%s::regclass, %s::regclass)",
        (table, f"{table}_pkey"))]
    pattern = "|".join(f"/{n} " for n in nodes) + "|" + "|".join(f"/{n}$" for n in nodes)
    row = admin.execute(
        "SELECT count(*), coalesce(sum(record_length), 0) FROM pg_get_wal_records_info(%s, %s) "
        "WHERE block_ref ~ %s", (start, end, pattern)).fetchone()
    total = admin.execute("SELECT pg_wal_lsn_diff(%s, %s)", (end, start)).fetchone()[0]
    return {"table_wal_records": row[0], "table_wal_bytes": int(row[1]), "server_wal_bytes": int(total)}


def fieldhouse_scenario(store: Any, admin: psycopg.Connection, table: fieldhouse.Table, batch: list[dict],
                        wal: bool) -> dict[str, Any]:
    if wal:  # a physical slot keeps the WAL from here until it is inspected (a shared server checkpoints)
        admin.execute("SELECT pg_create_physical_replication_slot(%s, true)", (DB,))
    start = admin.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    t0 = time.perf_counter()
    result = store.upsert(table, batch)
    secs = time.perf_counter() - t0
    end = admin.execute("SELECT pg_current_wal_flush_lsn()").fetchone()[0]
    out: dict[str, Any] = {"seconds": secs, "counts": result.counts()}
    if wal:
        try:
            out.update(wal_of(admin, table.name, str(start), str(end)))
        finally:
            admin.execute("SELECT pg_drop_replication_slot(%s)", (DB,))
    out.update(dead_tuples(admin, store.conn, table.name))
    vacuum(admin, table.name)
    return out


def run_postgres(args: argparse.Namespace, rows: list[dict], mixed: list[dict], expect_mixed: dict) -> dict:
    with psycopg.connect(args.url, autocommit=True) as root:
        root.execute(f"DROP DATABASE IF EXISTS {DB}")
        root.execute(f"CREATE DATABASE {DB}")
    url = admin_url(args.url, DB)
    n = len(rows)
    runs: dict[str, list[Any]] = {}
    expect = {
        "initial": {"inserted": n, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0, "deleted": 0},
        "rerun": {"inserted": 0, "updated": 0, "unchanged": n, "stale": 0, "rejected": 0, "deleted": 0},
        "mixed": expect_mixed,
    }
    try:
        with psycopg.connect(url, autocommit=True) as admin, fieldhouse.connect(url) as store:
            admin.execute("CREATE EXTENSION IF NOT EXISTS pgstattuple")
            admin.execute("CREATE EXTENSION IF NOT EXISTS pg_walinspect")
            for r in range(args.repeat):
                runs.setdefault("staged_merge", []).append(staged_merge(admin, rows, f"merge_{r}"))
                admin.execute(f"DROP TABLE merge_{r}")
                runs.setdefault("copy_text", []).append(copy_reference(admin, rows))
                admin.execute("DROP TABLE copy_ref")
                runs.setdefault("copy_binary", []).append(copy_reference(admin, rows, binary=True))
                admin.execute("DROP TABLE copy_ref")
                runs.setdefault("loop", []).append(loop_reference(admin, rows[:args.loop_rows]))
                admin.execute("DROP TABLE loop_ref")
                table = fieldhouse.Table(f"box_{r}", columns=COLUMNS, primary_key=list(KEY), version="captured_at")
                store.ensure_table(table)
                admin.execute(f"ALTER TABLE box_{r} SET (autovacuum_enabled = false)")
                admin.execute("CHECKPOINT")
                for name, batch in (("initial", rows), ("rerun", rows), ("mixed", mixed)):
                    out = fieldhouse_scenario(store, admin, table, batch, wal=name != "initial")
                    out["counts_ok"] = out["counts"] == expect[name]
                    runs.setdefault(name, []).append(out)
                    log(f"PG run {r + 1} {name}: {out['seconds']:.2f}s {n / out['seconds']:,.0f} rows/s "
                        f"counts {'OK' if out['counts_ok'] else out['counts']} dead {out['n_dead_tup']} "
                        + (f"table WAL {out['table_wal_bytes']} B" if "table_wal_bytes" in out else ""))
                admin.execute(f"DROP TABLE box_{r}")
                log(f"PG run {r + 1}: merge {runs['staged_merge'][-1]:.2f}s copy {runs['copy_text'][-1]:.2f}s "
                    f"loop {args.loop_rows / runs['loop'][-1]:,.0f} rows/s")
    finally:
        with psycopg.connect(args.url, autocommit=True) as root:
            root.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = %s",
                         (DB,))
            root.execute(f"DROP DATABASE IF EXISTS {DB}")
    rate = {k: n / median(v) for k, v in runs.items() if k in ("staged_merge", "copy_text", "copy_binary")}
    rate["loop"] = args.loop_rows / median(runs["loop"])
    for k in ("initial", "rerun", "mixed"):
        rate[k] = n / median([o["seconds"] for o in runs[k]])
    return {"rows": n, "loop_rows": args.loop_rows, "rows_per_s": rate, "runs": runs, "goals": {
        "initial / staged merge (>= 1.0)": rate["initial"] / rate["staged_merge"],
        "initial / COPY write_row (>= 0.75)": rate["initial"] / rate["copy_text"],
        "initial / per-row loop (>= 8)": rate["initial"] / rate["loop"],
        "rerun / initial (>= 1.5)": rate["rerun"] / rate["initial"],
        "rerun table WAL bytes, max (0)": max(o["table_wal_bytes"] for o in runs["rerun"]),
        "rerun dead tuples, max (0)": max(o["n_dead_tup"] for o in runs["rerun"]),
        "mixed n_tup_upd (= 10%)": max(o["n_tup_upd"] for o in runs["mixed"]),
        "mixed dead tuples (= 10%)": max(o["n_dead_tup"] for o in runs["mixed"]),
        "counts all as expected": all(o["counts_ok"] for k in ("initial", "rerun", "mixed") for o in runs[k]),
    }}


# --------------------------------------------------------------------------------- SQLite

def sqlite_plain(path: str, rows: list[dict]) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    cols = ", ".join(NAMES)
    conn.execute(f"CREATE TABLE box ({cols}, PRIMARY KEY (game_id, player_id))")
    sets = ", ".join(f"{c} = excluded.{c}" for c in NAMES if c not in KEY)
    stmt = (f"INSERT INTO box ({cols}) VALUES ({', '.join('?' * len(NAMES))}) "  # noqa: S608
            f"ON CONFLICT (game_id, player_id) DO UPDATE SET {sets} WHERE excluded.captured_at > captured_at")
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany(stmt, [tuple(r[c].isoformat() if c == "captured_at" else r[c] for c in NAMES) for r in rows])
    conn.execute("COMMIT")
    secs = time.perf_counter() - t0
    conn.close()
    return secs


def sqlite_utils_upsert(path: str, rows: list[dict]) -> float | None:
    try:
        import sqlite_utils
    except ImportError:
        return None
    db = sqlite_utils.Database(path)
    t0 = time.perf_counter()
    db["box"].upsert_all(rows, pk=KEY)
    secs = time.perf_counter() - t0
    db.close()
    return secs


def run_sqlite(args: argparse.Namespace, rows: list[dict], mixed: list[dict], expect_mixed: dict) -> dict:
    n = len(rows)
    runs: dict[str, list[float]] = {}
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):
            runs.setdefault("executemany", []).append(sqlite_plain(f"{tmp}/plain_{r}.db", rows))
            secs = sqlite_utils_upsert(f"{tmp}/utils_{r}.db", rows)
            if secs is not None:
                runs.setdefault("sqlite_utils", []).append(secs)
            with fieldhouse.connect(f"sqlite:///{tmp}/fh_{r}.db") as store:
                store.ensure_table(TABLE)
                for name, batch in (("initial", rows), ("rerun", rows), ("mixed", mixed)):
                    t0 = time.perf_counter()
                    result = store.upsert(TABLE, batch)
                    runs.setdefault(name, []).append(time.perf_counter() - t0)
                    if name == "mixed":
                        ok &= result.counts() == expect_mixed
            log(f"SQLite run {r + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in runs.items()))
    rate = {k: n / median(v) for k, v in runs.items()}
    goals = {"initial / executemany (>= 0.6)": rate["initial"] / rate["executemany"], "mixed counts ok": ok}
    if "sqlite_utils" in rate:
        goals["initial / sqlite-utils upsert_all (>= 2)"] = rate["initial"] / rate["sqlite_utils"]
    else:
        goals["initial / sqlite-utils upsert_all (>= 2)"] = "skipped: sqlite-utils is not installed"
    return {"rows": n, "rows_per_s": rate, "runs": runs, "goals": goals}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--pg-rows", type=int, default=1_000_000, help="0 skips PostgreSQL")
    p.add_argument("--loop-rows", type=int, default=20_000)
    p.add_argument("--sqlite-rows", type=int, default=200_000, help="0 skips SQLite")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--json")
    args = p.parse_args(argv)
    out: dict[str, Any] = {"argv": sys.argv[1:]}
    size = max(args.pg_rows, args.sqlite_rows)
    log(f"generating {size:,} rows")
    rows = make_rows(size)
    if args.pg_rows:
        mixed, expect = make_mixed(rows[:args.pg_rows])
        out["postgresql"] = run_postgres(args, rows[:args.pg_rows], mixed, expect)
        del mixed
    if args.sqlite_rows:
        mixed, expect = make_mixed(rows[:args.sqlite_rows])
        out["sqlite"] = run_sqlite(args, rows[:args.sqlite_rows], mixed, expect)
    for store in ("postgresql", "sqlite"):
        if store in out:
            print(f"\n{store} ({out[store]['rows']:,} rows, medians of {args.repeat})")
            for k, v in out[store]["rows_per_s"].items():
                print(f"  {k:<14} {v:>12,.0f} rows/s")
            for k, v in out[store]["goals"].items():
                print(f"  {k:<45} {v:.2f}" if isinstance(v, float) else f"  {k:<45} {v}")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
