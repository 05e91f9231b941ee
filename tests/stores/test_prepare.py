"""prepare(): the generated fast converter and the general path give the same result."""

from __future__ import annotations

import gc
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import fieldhouse
from fieldhouse.stores import prepare as prepare_module

TABLE = fieldhouse.Table(
    "mixed",
    columns={"k": "text", "n": "bigint", "x": "float", "d": "decimal(6,2)", "b": "bool", "day": "date",
             "at": "timestamptz", "j": "json", "note": "text", "w": "timestamptz"},
    primary_key=["k"], version="at", written_at="w",
)

VALUE = {
    "k": st.sampled_from(["a", "b", "c", None, 3]),
    "n": st.one_of(st.none(), st.integers(-5, 5), st.sampled_from(["7", "x", 2.0, 2.5, True])),
    "x": st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=False, width=32), st.sampled_from(["1.5", "36:12", -0.0])),
    "d": st.one_of(st.none(), st.sampled_from([Decimal("1.005"), "2.5", 3, "bad", 1e9])),
    "b": st.one_of(st.none(), st.booleans(), st.sampled_from(["W", "maybe", 1])),
    "day": st.one_of(st.none(), st.dates(date(2019, 1, 1), date(2019, 1, 5)), st.sampled_from(["2019-01-02", "nope"])),
    "at": st.one_of(st.none(), st.sampled_from([datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 1, 2),
                                                 "2024-01-01T00:00:00Z", "later"])),
    "j": st.one_of(st.none(), st.sampled_from([{"a": [1]}, "[1, 2]", "{bad", [None]])),
    "note": st.one_of(st.none(), st.text(max_size=3)),
}
ROWS = st.lists(st.fixed_dictionaries({}, optional=VALUE), max_size=12)


def _summary(prepared):
    return (sorted(map(repr, prepared.rows)), [(r.row, r.reason) for r in prepared.rejects],
            prepared.superseded_stale, prepared.superseded_same)


@settings(max_examples=150, deadline=None)
@given(rows=ROWS)
def test_fast_and_general_paths_agree(rows):
    fast = prepare_module.prepare(TABLE, rows)
    original = prepare_module._fast_converter
    prepare_module._fast_converter = lambda table: (lambda raw: None)  # every row takes the general path
    try:
        general = prepare_module.prepare(TABLE, rows)
    finally:
        prepare_module._fast_converter = original
    assert _summary(fast) == _summary(general)


class _Watched(dict):
    """A row that notes whether the cyclic garbage collector was on when it was read."""

    seen: list[bool] = []

    def __getitem__(self, key):
        _Watched.seen.append(gc.isenabled())
        return super().__getitem__(key)

    def get(self, key, default=None):
        _Watched.seen.append(gc.isenabled())
        return super().get(key, default)


def _watched_rows(n):
    for i in range(n):
        row = _Watched({"k": f"k{i}", "n": i, "at": datetime(2024, 1, 1, tzinfo=UTC)})
        _Watched.seen.append(gc.isenabled())
        yield row


def test_a_batch_never_turns_the_garbage_collector_off(db_url):
    """The collector is process-wide: a long-running service hosting fieldhouse must not
    have it switched off under its other threads while a large batch is prepared (on
    PostgreSQL, through the pipeline too)."""
    table = fieldhouse.Table(f"gc_{uuid.uuid4().hex[:8]}", columns={"k": "text", "n": "bigint", "at": "timestamptz"},
                             primary_key=["k"], version="at")
    _Watched.seen = []
    assert gc.isenabled()
    with fieldhouse.connect(db_url) as store:
        if store.dialect == "postgresql":
            store.pipeline_threshold, store.pipeline_chunk = 50, 20
        rows = list(_watched_rows(200)) if store.dialect == "postgresql" else _watched_rows(200)
        assert store.upsert(table, rows).inserted == 200
    assert _Watched.seen and all(_Watched.seen)
    assert gc.isenabled()
