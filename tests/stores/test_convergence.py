"""The consequence of the rules, proven on random data: applying any collection of batches,
in any order, any number of times, leaves the same table as applying every row once in
version order.  On SQLite and PostgreSQL, and with concurrent PostgreSQL writers."""

from __future__ import annotations

import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldhouse

from .helpers import scores_table, snapshot, ts

ROW = st.fixed_dictionaries(
    {
        "game_id": st.sampled_from(["g1", "g2", "g3", "g4"]),
        "team": st.one_of(st.none(), st.sampled_from(["BOS", "NYK", "LAL", "Ünïcode", "a", "B"])),
        "pts": st.one_of(st.none(), st.integers(0, 3)),
        "captured_at": st.integers(0, 3).map(ts),
    }
)
BATCHES = st.lists(st.lists(ROW, min_size=0, max_size=8), min_size=1, max_size=6)
PLAN = st.tuples(BATCHES, st.randoms(use_true_random=False))
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _in_version_order(batches):
    rows = [r for batch in batches for r in batch]
    return sorted(rows, key=lambda r: r["captured_at"])


def _check(store, batches, rnd):
    expected, actual = scores_table(), scores_table()
    store.ensure_table(expected)
    store.ensure_table(actual)
    for r in _in_version_order(batches):
        store.upsert(expected, [r])

    plan = [b for b in batches for _ in range(rnd.randint(1, 3))]
    rnd.shuffle(plan)
    total_in = 0
    for batch in plan:
        result = store.upsert(actual, batch)
        total_in += len(batch)
        assert result.total == len(batch)
    assert snapshot(store, actual) == snapshot(store, expected)

    # Whatever order they came in, every key holds one of its newest copies.
    newest = {}
    for r in (r for b in batches for r in b):
        newest[r["game_id"]] = max(newest.get(r["game_id"], r["captured_at"]), r["captured_at"])
    assert {r["game_id"]: r["captured_at"] for r in store.rows(actual)} == newest

    # Idempotency: applying any batch again changes nothing.
    for batch in batches:
        again = store.upsert(actual, batch)
        assert again.inserted == again.updated == 0
    assert snapshot(store, actual) == snapshot(store, expected)


@SETTINGS
@given(plan=PLAN)
def test_convergence_sqlite(sqlite_url, plan):
    batches, rnd = plan
    with fieldhouse.connect(sqlite_url) as store:
        _check(store, batches, rnd)


@settings(SETTINGS, max_examples=25)
@given(plan=PLAN)
def test_convergence_postgres(pg_url, plan):
    batches, rnd = plan
    with fieldhouse.connect(pg_url) as store:
        _check(store, batches, rnd)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_concurrent_postgres_writers_converge(pg_url, seed):
    """Four connections upsert overlapping keys at the same time; the table ends exactly as a
    single writer applying everything in version order would leave it."""
    rnd = random.Random(seed)
    keys = [f"g{i:03d}" for i in range(300)]
    teams = ["BOS", "NYK", "LAL", "MIA"]

    def make_batch():
        return [
            {"game_id": rnd.choice(keys), "team": rnd.choice(teams), "pts": rnd.randint(0, 150),
             "captured_at": ts(rnd.randint(0, 20))}
            for _ in range(200)
        ]

    work = [[make_batch() for _ in range(15)] for _ in range(4)]
    table = scores_table()
    expected = scores_table()
    with fieldhouse.connect(pg_url) as setup:
        setup.ensure_table(table)
        for batch in (b for w in work for b in w):
            setup.upsert(expected, batch)

    errors: list[BaseException] = []
    start = threading.Barrier(len(work))

    def writer(batches):
        try:
            with fieldhouse.connect(pg_url) as store:
                start.wait()
                for batch in batches:
                    result = store.upsert(table, batch)
                    assert result.total == len(batch)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in work]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with fieldhouse.connect(pg_url) as store:
        assert snapshot(store, table) == snapshot(store, expected)
