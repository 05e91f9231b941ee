"""Small helpers shared by the store tests."""

from __future__ import annotations

import itertools
import threading
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


def run_concurrently(work, each) -> None:
    """Run ``each(item)`` for every item of ``work`` on its own thread, all starting
    together; re-raise the first error any of them met."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(work))

    def run(item):
        try:
            start.wait()
            each(item)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(item,)) for item in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors


def stored_ranks(store, table) -> list[str]:
    """The ranks the store holds for ``table`` (its ``_fh_hash`` column), in key order."""
    if store.dialect == "delta":
        data = store.open_table(table).to_pyarrow_dataset().to_table()
        key = list(table.primary_key)
        return [h for _, h in sorted(zip(zip(*(data[k].to_pylist() for k in key), strict=False), data["_fh_hash"].to_pylist(), strict=False))]
    keys = ", ".join(f'"{k}"' for k in table.primary_key)
    name = table.name if store.dialect == "postgresql" or "." not in table.name else table.name.replace(".", "_")
    return [r[0] for r in store.conn.execute(f'SELECT "_fh_hash" FROM "{name}" ORDER BY {keys}').fetchall()]
