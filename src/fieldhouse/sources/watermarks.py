"""Watermarks: how far a source's data is known to be complete, per scope, in the control
store (``fieldhouse_watermarks``).

A unit returns its new watermarks with what it wrote (:class:`~fieldhouse.sources.units.UnitResult`);
the run records them in the transaction of the unit's rows, or, when the data and control
stores cannot share a transaction, right after the rows committed, so a crash can never
move a watermark past data that was not written.  Units read them while fetching.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from ..stores import Store
from ..table import Table

WATERMARKS = Table(
    "fieldhouse_watermarks",
    columns={
        "source": "text",
        "scope": "text",
        "watermark": "date",
        "updated_at": "timestamptz",
    },
    primary_key=["source", "scope"],
    version="updated_at",
)


def get_watermark(store: Store, source: str, scope: str) -> date | None:
    """The watermark of ``scope`` (e.g. ``2018-19/playoffs``), or None if there is none."""
    if not store.table_exists(WATERMARKS):
        return None
    rows = store.rows(WATERMARKS, where={"source": source, "scope": scope})
    return rows[0]["watermark"] if rows else None


def set_watermark(store: Store, source: str, scope: str, value: date | None) -> None:
    """Record the watermark (inside the caller's transaction, if one is open)."""
    store.upsert(WATERMARKS, [{
        "source": source, "scope": scope, "watermark": value, "updated_at": datetime.now(UTC),
    }])
