"""The bundled demo: a real recorded NBA response pushed through the upsert engine the way
real runs arrive: in pieces, out of order, repeated, and with an out-of-date copy."""

from __future__ import annotations

import gzip
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from importlib import resources
from typing import Any

from .stores import UpsertResult, connect
from .table import Table
from .urls import DatabaseURL

DEMO_FILE = "leaguegamelog_T_2018-19_playoffs.json.gz"

TEAM_GAMES = Table(
    "demo.team_games",
    columns={
        "game_id": "text",
        "team_id": "bigint",
        "team_abbreviation": "text",
        "game_date": "date",
        "matchup": "text",
        "wl": "text",
        "pts": "int",
        "plus_minus": "int",
        "captured_at": "timestamptz",
        "written_at": "timestamptz",
    },
    primary_key=["game_id", "team_id"],
    version="captured_at",
    written_at="written_at",
)


@dataclass
class DemoReport:
    table: Table
    steps: list[tuple[str, int, UpsertResult]] = field(default_factory=list)
    row_count: int = 0
    sample: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table.name,
            "rows": self.row_count,
            "steps": [{"step": s, "rows": n, **r.counts()} for s, n, r in self.steps],
        }


def demo_records() -> list[dict[str, Any]]:
    """The bundled leaguegamelog rows as dicts keyed by lower-case header."""
    blob = resources.files("fieldhouse").joinpath("data/demo", DEMO_FILE).read_bytes()
    payload = json.loads(gzip.decompress(blob))
    result = payload["resultSets"][0]
    headers = [h.lower() for h in result["headers"]]
    return [dict(zip(headers, row, strict=True)) for row in result["rowSet"]]


def run_demo(url: DatabaseURL | str, seed: int = 2019) -> DemoReport:
    records = demo_records()
    captured = datetime(2019, 6, 14, 12, 0, tzinfo=UTC)
    rows = [{c: r.get(c) for c in TEAM_GAMES.content_columns if c != "captured_at"} | {"captured_at": captured}
            for r in records]
    rng = random.Random(seed)
    shuffled = rows[:]
    rng.shuffle(shuffled)
    third = len(shuffled) // 3
    older = [dict(r, pts=r["pts"] - 1, captured_at=captured - timedelta(days=1)) for r in rows[:20]]
    plan = [
        ("batch 2 of 3 arrives first", shuffled[third : 2 * third]),
        ("batch 1 of 3, overlapping batch 2", shuffled[: third + 10]),
        ("a day-old copy of 20 rows", older),
        ("batch 3 of 3", shuffled[2 * third :]),
        ("a malformed row", [{"game_id": "0041800101", "team_id": "not-a-number", "captured_at": captured}]),
        ("the whole season again", rows),
    ]
    report = DemoReport(TEAM_GAMES)
    with connect(url) as store:
        store.ensure_table(TEAM_GAMES)
        for step, batch in plan:
            report.steps.append((step, len(batch), store.upsert(TEAM_GAMES, batch)))
        report.row_count = store.count(TEAM_GAMES)
        report.sample = store.rows(TEAM_GAMES)[:50]
    return report
