"""Snapshot replacement (tables with a parent_key), rule by rule, on SQLite and PostgreSQL;
the property that any snapshots in any order equal the newest of each parent alone; and
concurrent PostgreSQL writers."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldhouse
from fieldhouse import CastError, SchemaError
from fieldhouse.stores.prepare import prepare
from fieldhouse.stores.snapshots import marker_table
from fieldhouse.stores.snapshots import plan as snapshot_plan

from .conftest import skip_on_delta, within_delta_budget
from .helpers import run_concurrently, snapshot, ts

_names = itertools.count(1)


def pitches(name: str | None = None) -> fieldhouse.Table:
    return fieldhouse.Table(
        name or f"mlb.pitches_{next(_names)}",
        columns={"game_pk": "int", "at_bat": "int", "pitch": "int", "call": "text", "speed": "float",
                 "captured_at": "timestamptz"},
        primary_key=["game_pk", "at_bat", "pitch"], version="captured_at", parent_key=("game_pk",),
    )


def feed(game: int, day: int, pitches_: list[tuple[int, int, str]]) -> list[dict]:
    """One capture of a game: its pitches (at_bat, pitch, call), all versioned by the capture."""
    return [{"game_pk": game, "at_bat": a, "pitch": p, "call": c, "speed": 90.0 + p, "captured_at": ts(day)}
            for a, p, c in pitches_]


LIVE = [(0, 1, "B"), (0, 2, "S"), (1, 1, "X"), (1, 2, "B")]
REVIEWED = [(0, 1, "B"), (0, 2, "S"), (1, 1, "C")]  # a pitch re-indexed away on review


@pytest.fixture
def store(db_url):
    with fieldhouse.connect(db_url) as s:
        yield s


def _content(store, table, game=None):
    rows = store.rows(table, where={"game_pk": game} if game is not None else None)
    return [(r["game_pk"], r["at_bat"], r["pitch"], r["call"], r["captured_at"]) for r in rows]


def test_the_first_snapshot_of_a_parent_is_written_and_marked(store):
    table = pitches()
    result = store.upsert(table, feed(1, 1, LIVE))
    assert result.counts() == {"inserted": 4, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0, "deleted": 0}
    [marker] = store.rows(marker_table(table))
    assert marker["game_pk"] == 1 and marker["captured_at"] == ts(1) and len(marker["snapshot_hash"]) == 32


def test_a_newer_snapshot_removes_the_rows_it_no_longer_holds(store):
    table = pitches()
    store.upsert(table, feed(1, 1, LIVE) + feed(2, 1, LIVE))
    result = store.upsert(table, feed(1, 2, REVIEWED))
    assert (result.updated, result.deleted, result.stale, result.total) == (3, 1, 0, 3)
    assert _content(store, table, 1) == [(1, a, p, c, ts(2)) for a, p, c in REVIEWED]
    assert len(_content(store, table, 2)) == 4  # another parent is left alone


def test_an_older_snapshot_writes_and_deletes_nothing(store):
    table = pitches()
    store.upsert(table, feed(1, 2, REVIEWED))
    before = snapshot(store, table)
    result = store.upsert(table, feed(1, 1, LIVE))
    assert result.counts() == {"inserted": 0, "updated": 0, "unchanged": 0, "stale": 4, "rejected": 0, "deleted": 0}
    assert snapshot(store, table) == before  # the pitch only the live capture had did not come back


def test_the_same_snapshot_again_changes_nothing(store):
    table = pitches()
    store.upsert(table, feed(1, 1, LIVE))
    result = store.upsert(table, list(reversed(feed(1, 1, LIVE))))
    assert result.counts() == {"inserted": 0, "updated": 0, "unchanged": 4, "stale": 0, "rejected": 0, "deleted": 0}


def test_two_snapshots_at_the_same_version_end_the_same_in_either_order(db_url):
    """A game's feed timestamp freezes after the game, so two captures can share a version
    and differ: the snapshot hash decides, and the parent gets all of the winner's rows."""
    a, b = feed(1, 5, LIVE), feed(1, 5, [(0, 1, "B"), (0, 2, "F"), (1, 1, "X")])
    results = []
    with fieldhouse.connect(db_url) as store:
        for order in ((a, b), (b, a)):
            table = pitches()
            for batch in order:
                store.upsert(table, batch)
            results.append(_content(store, table))
    assert results[0] == results[1]
    assert results[0] in ([(1, x, y, c, ts(5)) for x, y, c in LIVE],
                          [(1, 0, 1, "B", ts(5)), (1, 0, 2, "F", ts(5)), (1, 1, 1, "X", ts(5))])


def test_an_empty_snapshot_removes_every_row_of_its_parent(store):
    table = pitches()
    store.upsert(table, feed(1, 1, LIVE) + feed(2, 1, LIVE))
    result = store.upsert(table, [], snapshots=[((1,), ts(2))])
    assert (result.deleted, result.total) == (4, 0)
    assert _content(store, table, 1) == [] and len(_content(store, table, 2)) == 4
    # and an older capture cannot bring the rows back
    assert store.upsert(table, feed(1, 1, LIVE)).stale == 4
    assert _content(store, table, 1) == []


def test_the_default_snapshot_version_is_the_newest_row_of_the_parent(store):
    table = pitches()
    rows = feed(1, 1, LIVE[:2]) + feed(1, 3, LIVE[2:])
    store.upsert(table, rows)
    [marker] = store.rows(marker_table(table))
    assert marker["captured_at"] == ts(3)
    # a snapshot at day 2 is older than the stored one (day 3): stale, whatever its rows
    assert store.upsert(table, feed(1, 2, REVIEWED)).stale == 3


def test_explicit_snapshots_are_cast_and_a_parent_named_twice_takes_its_newest_version(store):
    table = pitches()
    store.upsert(table, feed(1, 1, LIVE), snapshots=[(("1",), "2024-01-02T00:00:00Z"), ((1,), ts(0))])
    [marker] = store.rows(marker_table(table))
    assert marker["captured_at"] == ts(1)


def test_rows_of_a_parent_the_snapshots_do_not_name_are_rejected(store):
    table = pitches()
    result = store.upsert(table, feed(1, 1, LIVE) + feed(2, 1, LIVE[:1]), snapshots=[((1,), ts(1))])
    assert (result.inserted, result.rejected) == (4, 1)
    assert result.rejects[0].reason == "its parent (game_pk=2) is not among the batch's snapshots"
    assert result.rejects[0].row["game_pk"] == 2
    assert _content(store, table, 2) == []


def test_a_table_without_parent_key_refuses_snapshots(store):
    plain = fieldhouse.Table("plain", columns={"k": "int", "v": "int"}, primary_key=["k"], version="v")
    with pytest.raises(SchemaError, match="has no parent_key"):
        store.upsert(plain, [{"k": 1, "v": 1}], snapshots=[((1,), 1)])
    with pytest.raises(SchemaError, match="insert_new"):
        store.insert_new(pitches(), feed(1, 1, LIVE))


@pytest.mark.parametrize(
    ("snapshots", "error", "message"),
    [
        ([(1, ts(1))], SchemaError, "a parent is a tuple"),
        ([((1, 2), ts(1))], SchemaError, "a parent is a tuple"),
        ([((1,),)], SchemaError, r"\(parent, version\) pair"),
        ([(("x",), ts(1))], CastError, "cannot cast 'x' to int"),
        ([((1,), None)], CastError, "missing"),
    ],
)
def test_bad_snapshots_are_one_clear_error_and_write_nothing(store, snapshots, error, message):
    table = pitches()
    with pytest.raises(error, match=message):
        store.upsert(table, feed(1, 1, LIVE), snapshots=snapshots)
    assert store.count(table) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(parent_key=("game_pk", "at_bat", "pitch")), "fewer columns than the whole primary key"),
        (dict(parent_key=("call",)), "is not a primary key column"),
        (dict(parent_key=()), "at least one"),
    ],
)
def test_parent_key_mistakes_are_reported(kwargs, message):
    columns = {"game_pk": "int", "at_bat": "int", "pitch": "int", "call": "text", "v": "int"}
    with pytest.raises(SchemaError, match=message):
        fieldhouse.Table("t", columns=columns, primary_key=["game_pk", "at_bat", "pitch"], version="v", **kwargs)


def test_the_marker_table_is_named_for_its_table_on_each_store(store):
    table = pitches("mlb.pitches")
    store.upsert(table, feed(1, 1, LIVE))
    if store.dialect == "delta":
        assert store.open_table(marker_table(table)).table_uri.rstrip("/").endswith("mlb/pitches__snapshots")
    elif store.dialect == "postgresql":
        assert store.conn.execute("SELECT to_regclass('mlb.\"pitches__snapshots\"') IS NOT NULL").fetchone()[0]
    else:
        assert store.conn.execute("SELECT count(*) FROM mlb_pitches__snapshots").fetchone()[0] == 1
    kinds = {e.name: e.kind for e in store.tables()}
    assert kinds == {"mlb.pitches": "data", "mlb.pitches__snapshots": "snapshots"}


def test_a_parent_key_that_is_not_a_key_prefix_works(store):
    table = fieldhouse.Table(
        f"runners_{next(_names)}", columns={"at_bat": "int", "game_pk": "int", "runner": "int", "v": "int"},
        primary_key=["at_bat", "game_pk", "runner"], version="v", parent_key=("game_pk",),
    )
    store.upsert(table, [{"at_bat": a, "game_pk": g, "runner": 0, "v": 1} for a in range(3) for g in (1, 2)])
    result = store.upsert(table, [{"at_bat": 0, "game_pk": 1, "runner": 0, "v": 2}])
    assert (result.updated, result.deleted) == (1, 2)
    assert store.count(table) == 4


def test_a_failing_snapshot_batch_changes_nothing(db_url):
    skip_on_delta(db_url, "a Delta commit cannot join a transaction of several writes (capability multi_table_transactions is False): each batch commits on its own")
    table = pitches()
    with fieldhouse.connect(db_url) as store:
        store.upsert(table, feed(1, 1, LIVE))
        before, markers = snapshot(store, table), store.rows(marker_table(table))
        with pytest.raises(RuntimeError), store.transaction():
            result = store.upsert(table, feed(1, 2, REVIEWED))
            assert result.deleted == 1
            raise RuntimeError("the unit failed after the upsert")
        assert snapshot(store, table) == before
        assert store.rows(marker_table(table)) == markers


# ----------------------------------------------------------------------- the property

GAMES = (1, 2, 3)
PITCH_POOL = [(a, p) for a in range(2) for p in range(1, 4)]
CAPTURE = st.tuples(
    st.sampled_from(GAMES),
    st.integers(0, 3),  # the capture's version (day); equal versions of one game do happen
    st.lists(st.tuples(st.sampled_from(PITCH_POOL), st.sampled_from(["B", "S", "X"])), max_size=5),
)


def _batch(capture):
    game, day, found = capture
    return feed(game, day, [(a, p, c) for (a, p), c in found])


def _newest_alone(store, captures):
    """For each game, the table after applying only its newest capture (by version, then
    snapshot hash), to a fresh table."""
    table = pitches()
    store.ensure_table(table)
    for game in GAMES:
        mine = [c for c in captures if c[0] == game]
        if not mine:
            continue
        def order(capture):
            prepared = prepare(table, _batch(capture))
            [marker] = snapshot_plan(table, prepared, [((capture[0],), ts(capture[1]))])
            return marker[1], marker[2]
        newest = max(mine, key=order)
        store.upsert(table, _batch(newest), snapshots=[((game,), ts(newest[1]))])
    return snapshot(store, table)


SETTINGS = settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(captures=st.lists(CAPTURE, min_size=1, max_size=6), rnd=st.randoms(use_true_random=False))
def test_any_snapshots_in_any_order_equal_the_newest_of_each_parent_alone(db_url, captures, rnd):
    if not within_delta_budget(db_url, "snapshots-any-order"):
        return
    with fieldhouse.connect(db_url) as store:
        table = pitches()
        plan = [c for c in captures for _ in range(rnd.randint(1, 3))]
        rnd.shuffle(plan)
        for capture in plan:
            before = store.count(table) if store.table_exists(table) else 0
            result = store.upsert(table, _batch(capture), snapshots=[((capture[0],), ts(capture[1]))])
            assert result.total == len(capture[2])
            # the counts are exact: the table grew by what was inserted, shrank by what was deleted
            assert store.count(table) == before + result.inserted - result.deleted
        assert snapshot(store, table) == _newest_alone(store, captures)


@pytest.fixture(params=["postgresql", "delta"])
def shared_url(request):
    """A store several connections share at once (SQLite's writers queue on one lock)."""
    return request.getfixturevalue("pg_url" if request.param == "postgresql" else "delta_url")


def test_concurrent_snapshot_writers_converge(shared_url):
    """Four connections write captures of overlapping games at once; every game ends as its
    newest capture alone, and the counts are exact: what was inserted minus what was
    deleted, over all writers, is what the table holds.  (On a Delta lake the writers'
    commits conflict and are retried.)"""
    pg_url = shared_url
    rnd = random.Random(7)
    captures = [(rnd.choice(GAMES), rnd.randint(0, 6),
                 [(rnd.choice(PITCH_POOL), rnd.choice("BSX")) for _ in range(rnd.randint(0, 5))])
                for _ in range(60)]
    work = [captures[i::4] for i in range(4)]
    table = pitches()
    with fieldhouse.connect(pg_url) as setup:
        setup.ensure_table(table)
        expected = _newest_alone(setup, captures)
    net: list[int] = []

    def writer(mine):
        with fieldhouse.connect(pg_url) as store:
            for capture in mine:
                batch = _batch(capture)
                result = store.upsert(table, batch, snapshots=[((capture[0],), ts(capture[1]))])
                assert result.total == len(batch)
                net.append(result.inserted - result.deleted)

    run_concurrently(work, writer)
    with fieldhouse.connect(pg_url) as store:
        assert snapshot(store, table) == expected
        assert store.count(table) == sum(net)
