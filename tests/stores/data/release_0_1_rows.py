"""The table and batches in tests/stores/data/release_0_1.db (written by fieldhouse 0.1)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import fieldhouse

TABLE = fieldhouse.Table(
    "nba.box_scores",
    columns={"game_id": "text", "player_id": "bigint", "min": "float", "pts": "int", "fg_pct": "decimal(5,3)",
             "starter": "bool", "game_date": "date", "tip_off": "timestamptz", "extra": "json",
             "captured_at": "timestamptz", "written": "timestamptz"},
    primary_key=["game_id", "player_id"], version="captured_at", written_at="written",
)
T0 = datetime(2019, 4, 13, 20, 0, tzinfo=UTC)


def _row(i: int, day: int, pts: int) -> dict:
    return {
        "game_id": f"00418000{i // 5:02d}", "player_id": 200_000 + i,
        "min": None if i % 7 == 0 else 12.5 + i / 3, "pts": pts,
        "fg_pct": None if i % 4 == 0 else Decimal(i % 10) / 10, "starter": None if i % 5 == 0 else i % 2 == 0,
        "game_date": date(2019, 4, 13) + timedelta(days=i // 5), "tip_off": None if i % 3 else T0,
        "extra": None if i % 6 else {"note": f"é{i}", "list": [i, i / 2]},
        "captured_at": T0 + timedelta(days=day),
    }


# Two captures: the second corrects some points and leaves other rows as they were.
ROWS = [
    [_row(i, 1, 10 + i) for i in range(30)],
    [_row(i, 2, 10 + i + (i % 3 == 0)) for i in range(0, 30, 2)],
]
