"""The conflict sample: which stale rows ``upsert`` reports, with the version that beat
them, on SQLite and PostgreSQL (one statement, the pipeline and snapshot tables)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldhouse
from fieldhouse import SchemaError
from fieldhouse.stores import Conflict, UpsertResult
from fieldhouse.stores.counts import Counts

from .helpers import scores_table, ts
from .test_snapshots import feed, pitches


def row(game_id="g1", pts=100, day=1):
    return {"game_id": game_id, "team": "BOS", "pts": pts, "captured_at": ts(day)}


@pytest.fixture
def store(db_url):
    with fieldhouse.connect(db_url) as s:
        yield s


def test_a_row_older_than_the_stored_one_is_a_conflict_with_both_versions(store):
    table = scores_table()
    store.upsert(table, [row("g1", day=5), row("g2", day=5)])
    result = store.upsert(table, [row("g1", pts=1, day=3), row("g2", pts=2, day=6), row("g3")])
    assert result.counts()["stale"] == 1
    assert result.conflicts == [Conflict({"game_id": "g1"}, ts(3), ts(5))]
    assert result.conflicts_omitted == 0


def test_a_copy_beaten_in_the_batch_names_the_winning_copys_version(store):
    table = scores_table()
    result = store.upsert(table, [row("g1", day=2), row("g1", pts=7, day=4), row("g1", pts=8, day=1)])
    assert result.counts()["stale"] == 2
    assert sorted(c.incoming_version for c in result.conflicts) == [ts(1), ts(2)]
    assert {c.stored_version for c in result.conflicts} == {ts(4)}
    assert {tuple(c.key.items()) for c in result.conflicts} == {(("game_id", "g1"),)}


def test_identical_and_newer_rows_are_no_conflicts(store):
    table = scores_table()
    store.upsert(table, [row("g1", day=2)])
    result = store.upsert(table, [row("g1", day=2), row("g1", day=2)])
    assert result.conflicts == [] and result.conflicts_omitted == 0
    result = store.upsert(table, [row("g1", pts=9, day=3)])
    assert result.conflicts == [] and result.conflicts_omitted == 0


def test_the_limit_caps_the_sample_and_counts_the_rest(store):
    table = scores_table()
    store.upsert(table, [row(f"g{i:02d}", day=5) for i in range(20)])
    batch = [row(f"g{i:02d}", day=1) for i in range(20)] + [row("g00", day=0)]
    result = store.upsert(table, batch, conflict_limit=5)
    assert result.stale == 21
    assert len(result.conflicts) == 5 and result.conflicts_omitted == 16
    none = store.upsert(table, batch, conflict_limit=0)
    assert none.conflicts == [] and none.conflicts_omitted == 21


@pytest.mark.parametrize("bad", [-1, 1.5, "10", None])
def test_a_bad_limit_is_refused(store, bad):
    with pytest.raises(SchemaError, match="conflict_limit"):
        store.upsert(scores_table(), [row()], conflict_limit=bad)


def test_a_stale_snapshot_names_the_stored_snapshot_version(store):
    table = pitches()
    store.upsert(table, feed(1, 5, [(0, 1, "B"), (0, 2, "S")]))
    result = store.upsert(table, feed(1, 3, [(0, 1, "B"), (0, 2, "X")]))
    assert result.stale == 2
    assert result.conflicts == [
        Conflict({"game_pk": 1, "at_bat": 0, "pitch": 1}, ts(3), ts(5)),
        Conflict({"game_pk": 1, "at_bat": 0, "pitch": 2}, ts(3), ts(5)),
    ]
    capped = store.upsert(table, feed(1, 3, [(0, 1, "B"), (0, 2, "X")]), conflict_limit=1)
    assert len(capped.conflicts) == 1 and capped.conflicts_omitted == 1


def test_merging_results_respects_the_cap():
    a = UpsertResult("t", stale=3, conflicts=[Conflict({"k": i}, 1, 2) for i in range(3)], conflict_limit=4)
    b = UpsertResult("t", stale=3, conflicts=[Conflict({"k": i}, 1, 2) for i in range(3, 5)], conflicts_omitted=1)
    a += b
    assert [c.key["k"] for c in a.conflicts] == [0, 1, 2, 3]
    assert a.conflicts_omitted == 2 and a.stale == len(a.conflicts) + a.conflicts_omitted
    counts = Counts.of({"t": a}, {"t": b})
    assert len(counts["t"].conflicts) == 6 and counts["t"].conflicts_omitted == 3 and counts["t"].stale == 9


@pytest.mark.postgres
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stored=st.dictionaries(st.integers(0, 40), st.integers(0, 4), max_size=40),
    batch=st.lists(st.tuples(st.integers(0, 40), st.integers(0, 4), st.integers(0, 2)), max_size=80),
    limit=st.sampled_from([0, 3, 1000]),
)
def test_the_pipeline_samples_as_the_one_statement_path_counts(pg_url, stored, batch, limit):
    """Pipelined (tiny chunks) and one-statement writes report the same stale count, and
    the sample is a sample of it: each conflict a real stale row of the batch."""
    rows = [row(f"g{k:02d}", pts=p, day=d) for k, d, p in batch]
    outcomes = []
    with fieldhouse.connect(pg_url) as store:
        for threshold in (10**9, 5):
            store.pipeline_threshold, store.pipeline_chunk = threshold, 7
            table = scores_table()
            store.upsert(table, [row(f"g{k:02d}", day=d) for k, d in stored.items()])
            result = store.upsert(table, rows, conflict_limit=limit)
            assert len(result.conflicts) == min(limit, result.stale)
            assert len(result.conflicts) + result.conflicts_omitted == result.stale
            incoming = {(f"g{k:02d}", ts(d)) for k, d, _ in batch}
            for c in result.conflicts:
                assert (c.key["game_id"], c.incoming_version) in incoming
                assert c.incoming_version <= c.stored_version
            outcomes.append(result.counts())
    assert outcomes[0] == outcomes[1]


@pytest.mark.postgres
def test_a_concurrent_write_between_classify_and_write_is_counted_once(pg_url, monkeypatch):
    """Classify first, then write: another writer commits between the two.  Every row is
    still counted exactly once, by what the table holds after the write, and the table
    ends with the newest copy of every key."""
    from fieldhouse.stores import postgresql_sql as sql

    table = scores_table()
    keys = [f"g{i:02d}" for i in range(8)]
    with fieldhouse.connect(pg_url) as store, fieldhouse.connect(pg_url) as other:
        store.upsert(table, [row(k, day=1) for k in keys[4:]])  # g04..g07 stored at day 1
        other.ensure_table(table)
        write = sql.write_new_or_newer
        done = []

        def interleaved(*args, **kw):
            if not done:  # the other writer commits after our classify, before our write
                done.append(True)
                other.upsert(table, [row("g00", pts=5, day=9), row("g01", day=2),
                                     row("g04", pts=6, day=9), row("g05", day=2)])
            return write(*args, **kw)

        monkeypatch.setattr(sql, "write_new_or_newer", interleaved)
        batch = [row(k, day=2) for k in keys]  # new g00..g03, newer g04..g07
        result = store.upsert(table, batch)
        assert done, "the interleaving did not happen"
        # g00: beaten by the other writer's day 9 (stale); g01: the other wrote the same row
        # (unchanged); g04: beaten (stale); g05: the same (unchanged); the rest written
        assert result.total == 8
        assert result.stale == 2 and result.unchanged == 2
        assert result.inserted + result.updated == 4
        assert sorted(c.key["game_id"] for c in result.conflicts) == ["g00", "g04"]
        assert {c.stored_version for c in result.conflicts} == {ts(9)}
        stored = {r["game_id"]: r["captured_at"] for r in store.rows(table)}
        assert stored == {**dict.fromkeys(keys, ts(2)), "g00": ts(9), "g04": ts(9)}
