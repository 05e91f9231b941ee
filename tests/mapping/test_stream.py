"""Loads in bounded memory (issue 9, item 12): an input larger than one chunk is parked on
disk by key and written part by part, in one transaction, and reports exactly the counts
one write of everything would report (a key whose copies fall into different chunks is
counted once, as in one batch), with the same table at the end."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldhouse
from fieldhouse.mapping import QUARANTINE, apply_mapping, load, load_records, spill, write_applied

from .test_property import MAPPING, _tables

STAMP = datetime(2024, 5, 1, tzinfo=UTC)

player = st.fixed_dictionaries({
    "pid": st.integers(1, 3),
    "pts": st.integers(0, 100) | st.just("bad"),  # a few rejects too
    "min": st.sampled_from(["36:12", "1.5", 7]),
    "starter": st.booleans(),
})
game = st.fixed_dictionaries({
    "game_id": st.integers(1, 6),  # few keys: copies in many chunks
    "rev": st.integers(1, 4),
    "date": st.sampled_from(["2024-01-01", "2024-01-02"]),
    "venue": st.sampled_from(["A", "B", None]),
    "extra": st.none() | st.just({"k": 1}),
    "players": st.lists(player, max_size=3),
})


@pytest.fixture
def tiny(monkeypatch):
    """Chunks, partitions and batches of a few rows, so small inputs take the disk path."""
    monkeypatch.setattr(load, "CHUNK_ROWS", 3)
    monkeypatch.setattr(load, "MAP_RECORDS", 2)
    monkeypatch.setattr(spill, "PARTITIONS", 3)
    monkeypatch.setattr(spill, "MAX_BATCH", 2)
    monkeypatch.setattr(spill, "FLUSH_ITEMS", 2)
    monkeypatch.setattr(load, "KEPT_REJECTS", 2)


def _counts(done) -> dict:
    return {"tables": {n: r.counts() for n, r in done.tables.items()}, "quarantine": done.quarantine.counts(),
            "filtered": done.filtered, "refreshed": {n: r.refreshed for n, r in done.tables.items()}}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(game, max_size=6), records=st.lists(game, min_size=1, max_size=14))
def test_chunked_loads_count_and_end_as_one_write(tiny, before: list[dict], records: list[dict]) -> None:
    with fieldhouse.connect("sqlite:///:memory:") as whole, fieldhouse.connect("sqlite:///:memory:") as parts:
        for store in (whole, parts):
            write_applied(store, apply_mapping(MAPPING, before, STAMP), STAMP)
        once = write_applied(whole, apply_mapping(MAPPING, records, STAMP), STAMP)
        order: list[str] = []
        real = parts.upsert

        def upsert(table, rows, **kwargs):
            order.append(table.name)
            return real(table, rows, **kwargs)

        parts.upsert = upsert
        chunked = load_records(parts, MAPPING, records, STAMP)
        assert _counts(chunked) == _counts(once)
        assert _tables(parts) == _tables(whole)
        if parts.table_exists(QUARANTINE):
            assert sorted(r["reject_id"] for r in parts.rows(QUARANTINE)) == sorted(r["reject_id"] for r in whole.rows(QUARANTINE))
        # referenced targets first, the quarantine last: games, then lines, then rejects
        names = [t.name for t in MAPPING.tables()] + [QUARANTINE.name]
        assert order == sorted(order, key=names.index)
        kept = len(once.rejects) if len(records) <= 2 else min(2, len(once.rejects))  # one chunk keeps all
        assert chunked.rejects == once.rejects[:kept]
        for name, result in chunked.tables.items():
            assert result.rejected == once.tables[name].rejected
            assert result.rejects == once.tables[name].rejects[:len(result.rejects)]


def test_a_chunked_load_is_one_transaction(tiny, db_url: str) -> None:
    records = [{"game_id": i, "rev": 1, "date": "2024-01-01", "venue": "A", "extra": None, "players": []} for i in range(1, 30)]
    with fieldhouse.connect(db_url) as store:
        real, calls = store.upsert, []

        def failing(table, rows, **kwargs):
            calls.append(table.name)
            if len(calls) == 5:
                raise fieldhouse.StoreError("disk full")
            return real(table, rows, **kwargs)

        store.upsert = failing
        with pytest.raises(fieldhouse.StoreError):
            load_records(store, MAPPING, records, STAMP)
        store.upsert = real
        games = MAPPING.targets["games"].table
        assert not store.table_exists(games) or store.count(games) == 0
        done = load_records(store, MAPPING, records, STAMP)
        assert done.tables[games.name].inserted == 29 and store.count(games) == 29


def _games(n: int):
    for i in range(n):
        yield {"game_id": i, "rev": 1, "date": "2024-01-01", "venue": "Arena", "extra": {"attendance": i},
               "players": [{"pid": p, "pts": 10, "min": "30:00", "starter": True} for p in range(1, 4)]}


def test_memory_does_not_grow_with_the_input(monkeypatch) -> None:
    """The whole input is never held: the peak of a load stays a fraction of what its
    mapped rows alone take (measured with tracemalloc: allocations, not time)."""
    import tracemalloc

    monkeypatch.setattr(load, "CHUNK_ROWS", 500)
    monkeypatch.setattr(load, "MAP_RECORDS", 50)
    monkeypatch.setattr(spill, "MAX_BATCH", 500)
    monkeypatch.setattr(spill, "FLUSH_ITEMS", 250)
    n = 3_000  # 12,000 rows; holding them all took twice what they take, bounded a third
    tracemalloc.start()
    try:
        held = apply_mapping(MAPPING, _games(n), STAMP)
        whole = tracemalloc.get_traced_memory()[0]
        del held
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        with fieldhouse.connect("sqlite:///:memory:") as store:
            done = load_records(store, MAPPING, _games(n), STAMP)
            peak = tracemalloc.get_traced_memory()[1] - base
            assert store.count(MAPPING.targets["lines"].table) == 3 * n
    finally:
        tracemalloc.stop()
    assert done.tables["games"].inserted == n
    assert peak < whole / 2, (peak, whole)


def test_no_write_of_a_large_load_is_larger_than_a_batch(monkeypatch) -> None:
    """A part too large to write at once is cut again by further digits of the key's hash,
    so every write stays within MAX_BATCH rows whatever the input's size."""
    monkeypatch.setattr(load, "CHUNK_ROWS", 100)
    monkeypatch.setattr(spill, "PARTITIONS", 4)
    monkeypatch.setattr(spill, "MAX_BATCH", 60)
    monkeypatch.setattr(spill, "FLUSH_ITEMS", 50)
    n = 4_000
    with fieldhouse.connect("sqlite:///:memory:") as store:
        real, sizes = store.upsert, []

        def upsert(table, rows, **kwargs):
            if table.name in ("games", "lines"):  # not the store's own catalog rows
                sizes.append(len(rows))
            return real(table, rows, **kwargs)

        store.upsert = upsert
        done = load_records(store, MAPPING, _games(n), STAMP)
    assert done.tables["games"].inserted == n and done.tables["lines"].inserted == 3 * n
    assert sum(sizes) == 4 * n
    assert max(sizes) <= 60, sorted(sizes)[-5:]
