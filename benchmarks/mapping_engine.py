"""The mapping engine (issue 13, goal 4): rows per second of ``apply_mapping`` with the
compiled row builder, against the interpreter (``compiled=False``, the engine before
compilation) measured in the same run.  Run by hand, never by the tests.

    .venv/bin/python benchmarks/mapping_engine.py [--repeat 5] [--json out.json]

Cases, all from real data in ../shared/fixtures:

* ``csv plain paths``: 8 path columns (text, bigint, decimal, date, timestamptz, bool),
  one row per record, records as ``csv.DictReader`` gives them (all text): what
  ``fieldhouse load`` of a CSV does.
* ``nba log plain paths``: the NBA player game log (1,761 rows x 12 = 21,132 rows, 28
  columns) through the shipped mapping with its one expression replaced by a path and its
  checks removed: one result set, every column a path.
* ``nba log shipped``: the same through the shipped mapping (an expression, two checks).
* ``mlb feed``: the four shipped feed mappings on one real Final feed (11 targets, paths
  one to three levels out, expressions, snapshots), per game.

Best of ``--repeat`` timings (alternated compiled / interpreted), so a neighbour's load
on the shared machine shows less.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fieldhouse.mapping import apply_mapping, parse_mapping
from fieldhouse.sources.mlb import schema as mlb_schema
from fieldhouse.sources.nba import schema as nba_schema

FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
CAPTURED = datetime(2024, 5, 1, 12, tzinfo=UTC)

CSV_MAPPING = """\
targets:
  payments:
    primary_key: payment_id
    version: updated_at
    columns:
      payment_id:  {type: bigint, path: payment_id}
      customer_id: {type: text, path: customer_id, nullable: false}
      name:        {type: text, path: customer_name}
      amount:      {type: "decimal(12,2)", path: amount, nullable: false}
      paid_on:     {type: date, path: paid_on, nullable: false}
      status:      {type: text, path: status, nullable: false}
      refunded:    {type: bool, path: refunded}
      updated_at:  {type: timestamptz, path: updated_at}
"""


def csv_records(n: int) -> list[dict[str, str]]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["payment_id", "customer_id", "customer_name", "amount", "paid_on", "status",
                     "refunded", "updated_at"])
    for i in range(n):
        writer.writerow([i, f"c{i // 1000}", f"Customer {i // 1000}", f"{(i % 9973) / 100 + 1:.2f}",
                         f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d}", ("settled", "pending")[i % 2],
                         ("true", "false")[i % 2], f"2024-05-01T12:{i % 60:02d}:{i % 60:02d}Z"])
    return list(csv.DictReader(io.StringIO(out.getvalue())))


def nba_log() -> dict[str, Any]:
    path = FIXTURES / "nba" / "leaguegamelog" / "leaguegamelog_P_2018-19_playoffs_full.json"
    data = json.loads(path.read_text())
    data["resultSets"][0]["rowSet"] = data["resultSets"][0]["rowSet"] * 12
    return data


def nba_plain_mapping():
    text = (Path(nba_schema.__file__).parent / "mappings" / "leaguegamelog_player.yaml").read_text()
    text = text.replace("""{type: text, expr: "nba_season(path('SEASON_ID'))", nullable: false}""",
                        "{type: text, path: SEASON_ID, nullable: false}")
    return parse_mapping(text[: text.index("    checks:")], "leaguegamelog_player_plain.yaml")


def mlb_feed() -> dict[str, Any]:
    path = FIXTURES / "mlb" / "liveGameV1" / "liveGameV1_744914_2024-07-01_Final_20240701_214404.json.gz"
    return json.loads(gzip.decompress(path.read_bytes()))


def best(mappings: list, records: list, compiled: bool, repeat: int) -> tuple[float, int]:
    times, rows = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = 0
        for spec in mappings:
            applied = apply_mapping(spec, records, CAPTURED, compiled=compiled)
            rows += sum(len(r) for r in applied.rows.values())
        times.append(time.perf_counter() - start)
    return min(times), rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--csv-rows", type=int, default=100_000)
    parser.add_argument("--json")
    args = parser.parse_args()
    feed = mlb_feed()
    cases = [
        ("csv plain paths", [parse_mapping(CSV_MAPPING, "csv.yaml")], csv_records(args.csv_rows)),
        ("nba log plain paths", [nba_plain_mapping()], [nba_log()]),
        ("nba log shipped", [nba_schema.mapping("leaguegamelog_player")], [nba_log()]),
        ("mlb feed (4 mappings, 1 game)", mlb_schema.feed_mappings(), [feed]),
    ]
    print(f"{'case':32} {'rows':>8} {'compiled rows/s':>16} {'interpreted rows/s':>19} {'ratio':>6} {'us/row':>7}")
    result = {}
    for name, mappings, records in cases:
        best(mappings, records, True, 1)  # compile once, warm up
        fast, rows = best(mappings, records, True, args.repeat)
        slow, same = best(mappings, records, False, args.repeat)
        assert rows == same, (rows, same)
        result[name] = {"rows": rows, "compiled_s": fast, "interpreted_s": slow,
                        "compiled_rows_s": rows / fast, "interpreted_rows_s": rows / slow}
        print(f"{name:32} {rows:8,} {rows / fast:16,.0f} {rows / slow:19,.0f} {slow / fast:6.2f} {fast / rows * 1e6:7.2f}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
