"""Small helpers shared by the store tests."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import fieldhouse

T0 = datetime(2024, 1, 1, tzinfo=UTC)
_names = itertools.count(1)


def ts(day: int) -> datetime:
    """A version timestamp ``day`` days after 2024-01-01."""
    return T0 + timedelta(days=day)


def scores_table(name: str | None = None, **extra_columns: str) -> fieldhouse.Table:
    return fieldhouse.Table(
        name or f"scores_{next(_names)}",
        columns={"game_id": "text", "team": "text", "pts": "int", "captured_at": "timestamptz", **extra_columns},
        primary_key=["game_id"],
        version="captured_at",
    )


def snapshot(store, table) -> list[tuple]:
    """The table's content as sorted tuples, ignoring column order and written_at."""
    cols = table.content_columns
    return sorted(tuple(repr(row[c]) for c in cols) for row in store.rows(table))
