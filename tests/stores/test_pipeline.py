"""PostgreSQL writes large batches in key-ordered chunks, preparing one while a worker
thread writes the previous one (stores/pipeline.py).  The thresholds are lowered here so
that small batches take that path; it must give exactly what the one-statement path gives."""

from __future__ import annotations

import itertools
import random
import threading

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from psycopg import errors as pg_errors

import fieldhouse
from fieldhouse import StoreError
from fieldhouse.stores import pipeline
from fieldhouse.stores import postgresql_sql as sql
from fieldhouse.stores.postgresql import PostgresStore

from .helpers import snapshot, ts

_names = itertools.count(1)


def keyed_table() -> fieldhouse.Table:
    """A two-column key (text, int) and a written_at column: the COPY straight into the
    table carries it, and the key range conditions compare rows of two columns."""
    return fieldhouse.Table(
        f"chunked_{next(_names)}",
        columns={"game_id": "text", "slot": "int", "team": "text", "pts": "int",
                 "captured_at": "timestamptz", "w": "timestamptz"},
        primary_key=["game_id", "slot"], version="captured_at", written_at="w",
    )


def pipelined(store: PostgresStore, threshold: int = 50, chunk: int = 20) -> PostgresStore:
    store.pipeline_threshold, store.pipeline_chunk = threshold, chunk
    return store


GAMES = ["a", "B", "b", "Ä", "ä", "z", "zz", "0", "g1", "g10", "g2", "Ünïcode", " x", "x "]
ROW = st.one_of(
    st.fixed_dictionaries({
        "game_id": st.sampled_from(GAMES),
        "slot": st.integers(0, 6),
        "team": st.one_of(st.none(), st.sampled_from(["BOS", "NYK", "LAL"])),
        "pts": st.one_of(st.none(), st.integers(0, 3), st.just("3"), st.just("lots")),
        "captured_at": st.integers(0, 3).map(ts),
    }),
    # rejects of every kind: no key, a key that does not cast, an unknown column, not a mapping
    st.fixed_dictionaries({"game_id": st.sampled_from(GAMES), "captured_at": st.just(ts(1))}),
    st.fixed_dictionaries({"game_id": st.sampled_from(GAMES), "slot": st.just("seven"),
                           "captured_at": st.just(ts(1))}),
    st.fixed_dictionaries({"game_id": st.just("a"), "slot": st.just(1), "captured_at": st.just(ts(2)),
                           "extra": st.just(1)}),
    st.just(["not", "a", "mapping"]),
)
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _outcome(result):
    return (result.counts(), result.refreshed, [(id(r.row), r.reason) for r in result.rejects])


def _differential(url, before, batch, mode="upsert"):
    """Apply ``before`` then ``batch`` to two tables, one by each path; same table, counts
    and rejects (same reasons, same order)."""
    plain_t, piped_t = keyed_table(), keyed_table()
    with fieldhouse.connect(url) as plain, pipelined(fieldhouse.connect(url)) as piped:
        plain.pipeline_threshold = 10**9
        for store, table in ((plain, plain_t), (piped, piped_t)):
            store.ensure_table(table)
            plain.upsert(table, before)
        a = getattr(plain, mode)(plain_t, batch)
        piped.pipeline_stats = {"chunks": 1}
        b = getattr(piped, mode)(piped_t, batch)
        event(f"chunks > 1: {piped.pipeline_stats['chunks'] > 1}")
        assert _outcome(b) == _outcome(a)
        assert b.total == len(batch)
        assert snapshot(piped, piped_t) == snapshot(plain, plain_t)


@SETTINGS
@given(before=st.lists(ROW, max_size=40), batch=st.lists(ROW, min_size=51, max_size=160),
       mode=st.sampled_from(["upsert", "upsert", "insert_new"]))
def test_pipelined_path_equals_one_statement(pg_url, before, batch, mode):
    _differential(pg_url, before, batch, mode)


@settings(SETTINGS, max_examples=15)
@given(before=st.lists(ROW, min_size=5, max_size=40), batch=st.lists(ROW, min_size=51, max_size=160))
def test_copy_that_meets_an_existing_key_falls_back_exactly(pg_url, before, batch, monkeypatch):
    """Make the key-range probe always answer "empty": every chunk is first COPYed straight
    into the table, and a chunk holding an existing key must be undone and upserted."""
    monkeypatch.setattr(sql, "range_has_rows", lambda table: "SELECT %s::text IS NULL AND %s::int IS NULL "
                        "AND %s::text IS NULL AND %s::int IS NULL")
    _differential(pg_url, before, batch)


def _rows(n, day=1, offset=0):
    return [{"game_id": f"g{i:04d}", "slot": i % 3, "team": "BOS", "pts": i % 100, "captured_at": ts(day)}
            for i in range(offset, offset + n)]


def test_the_path_is_taken_and_large_batches_count_right(pg_url):
    table = keyed_table()
    with pipelined(fieldhouse.connect(pg_url)) as store:
        first = store.upsert(table, _rows(300))
        assert store.pipeline_stats["chunks"] == 18  # 14 of 20 rows, then 10, 5, 3 and 2
        assert first.counts() == {"inserted": 300, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0, "deleted": 0}
        again = store.upsert(table, [*_rows(150, day=2), *_rows(150, day=0, offset=150), *_rows(10, offset=300)])
        assert again.counts() == {"inserted": 10, "updated": 150, "unchanged": 0, "stale": 150, "rejected": 0, "deleted": 0}
        assert again.refreshed == 150
        assert store.count(table) == 310


def test_a_failing_row_in_the_last_chunk_rolls_back_every_chunk(pg_url):
    table = keyed_table()
    with pipelined(fieldhouse.connect(pg_url)) as store:
        store.upsert(table, [{"game_id": "g0050", "slot": 2, "pts": 5, "captured_at": ts(0)}])
        store.conn.execute(f'ALTER TABLE "{table.name}" ADD CONSTRAINT pts_small CHECK (pts < 1000)')
        batch = _rows(200)  # g0050 is updated (the stage path); the other chunks are new keys (COPY)
        batch.append({"game_id": "zzz", "slot": 0, "pts": 5000, "captured_at": ts(1)})  # sorts last
        with pytest.raises(StoreError) as info:
            store.upsert(table, batch)
        assert table.name in str(info.value) and "nothing of it was written" in str(info.value)
        assert [(r["game_id"], r["pts"]) for r in store.rows(table)] == [("g0050", 5)]
        assert not _worker_threads()
        assert store.upsert(table, _rows(60)).inserted == 59  # still usable


def test_a_deadlock_in_the_worker_retries_the_whole_batch(pg_url, monkeypatch):
    table = keyed_table()
    calls = {"n": 0}
    real = PostgresStore._apply_stage

    def flaky(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise pg_errors.DeadlockDetected("deadlock detected (simulated)")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(PostgresStore, "_apply_stage", flaky)
    with pipelined(fieldhouse.connect(pg_url)) as store:
        store.upsert(table, _rows(100, day=0))  # every chunk of the next batch takes the stage path
        result = store.upsert(table, _rows(100, day=1))
        assert result.updated == 100 and result.total == 100
        assert calls["n"] > 3  # the batch ran again after the simulated deadlock
        assert {r["captured_at"] for r in store.rows(table)} == {ts(1)}
    assert not _worker_threads()


def test_a_lost_connection_in_the_pipeline_rolls_back(pg_url):
    import psycopg

    table = keyed_table()
    with pipelined(fieldhouse.connect(pg_url)) as store:
        store.upsert(table, _rows(1))
        pid, real, calls = store.conn.info.backend_pid, store._prepare, []

        def prepare(*args, **kwargs):
            calls.append(1)
            if len(calls) == 4:  # chunks 1-3 were written, or are being written
                with psycopg.connect(pg_url, autocommit=True) as killer:
                    killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
            return real(*args, **kwargs)

        store._prepare = prepare
        with pytest.raises(StoreError, match=table.name):
            store.upsert(table, _rows(200, offset=1))
        assert len(calls) >= 4
    assert not _worker_threads()
    with fieldhouse.connect(pg_url) as fresh:
        assert [r["game_id"] for r in fresh.rows(table)] == ["g0000"]


def test_inside_an_outer_transaction_the_chunks_join_it(pg_url):
    table, other = keyed_table(), keyed_table()
    with pipelined(fieldhouse.connect(pg_url)) as store:
        store.ensure_table(table)
        store.ensure_table(other)
        with pytest.raises(RuntimeError), store.transaction():
            assert store.upsert(table, _rows(120)).inserted == 120
            store.upsert(other, _rows(3))
            raise RuntimeError("the unit fails after its writes")
        assert store.count(table) == store.count(other) == 0


@pytest.mark.parametrize("seed", [1, 2])
def test_concurrent_pipelined_writers_converge(pg_url, seed):
    """Four connections write overlapping keys in chunks at the same time; the table ends as
    one writer applying everything in version order leaves it."""
    rnd = random.Random(seed)
    keys = [(f"g{i:03d}", i % 4) for i in range(300)]

    def make_batch():
        return [{"game_id": g, "slot": s, "team": rnd.choice(["BOS", "NYK"]), "pts": rnd.randint(0, 150),
                 "captured_at": ts(rnd.randint(0, 20))} for g, s in (rnd.choice(keys) for _ in range(200))]

    work = [[make_batch() for _ in range(8)] for _ in range(4)]
    table, expected = keyed_table(), keyed_table()
    with fieldhouse.connect(pg_url) as setup:
        setup.ensure_table(table)
        for batch in (b for w in work for b in w):
            setup.upsert(expected, batch)

    errors: list[BaseException] = []
    start = threading.Barrier(len(work))

    def writer(batches):
        try:
            with pipelined(fieldhouse.connect(pg_url), chunk=30) as store:
                start.wait()
                for batch in batches:
                    result = store.upsert(table, batch)
                    assert result.total == len(batch)
                    assert store.pipeline_stats["chunks"] > 1
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


def test_split_keeps_copies_of_a_key_together_and_in_input_order():
    table = keyed_table()
    rows = [{"game_id": g, "slot": 0, "captured_at": ts(d)} for g, d in
            [("b", 1), ("a", 1), ("b", 2), ("b", 0), ("c", 1), ("a", 3), (None, 1)]]
    plan = pipeline.split(table, rows, 2)
    assert plan is not None
    assert [[rows.index(r) for r in chunk] for chunk in plan.chunks] == [[1, 5], [0, 2, 3], [4]]
    assert plan.irregular == [rows[6]] and plan.irregular_positions == [6]
    assert all(plan.chunks[i][j] is rows[p] for i, c in enumerate(plan.positions) for j, p in enumerate(c))


def _worker_threads():
    return [t for t in threading.enumerate() if t.name.startswith("fieldhouse-write")]
