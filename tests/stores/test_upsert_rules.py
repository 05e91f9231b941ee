"""The eight rules of defensive upsert, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

import psycopg
import pytest

import fieldhouse
from fieldhouse import StoreError

from .conftest import skip_on_delta
from .helpers import scores_table, stored_ranks, ts


def row(game_id="g1", pts=100, day=1, team="BOS"):
    return {"game_id": game_id, "team": team, "pts": pts, "captured_at": ts(day)}


@pytest.fixture
def store(db_url):
    with fieldhouse.connect(db_url) as s:
        yield s


@pytest.fixture
def table(store):
    t = scores_table()
    store.ensure_table(t)
    return t


def test_rule1_new_key_is_inserted(store, table):
    result = store.upsert(table, [row("g1"), row("g2")])
    assert result.counts() == {"inserted": 2, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0, "deleted": 0}
    assert [r["game_id"] for r in store.rows(table)] == ["g1", "g2"]


def test_rule2_newer_version_updates(store, table):
    store.upsert(table, [row(pts=100, day=1)])
    result = store.upsert(table, [row(pts=101, day=2)])
    assert (result.updated, result.total) == (1, 1)
    assert store.rows(table)[0]["pts"] == 101
    assert store.rows(table)[0]["captured_at"] == ts(2)


def test_rule3_older_version_is_stale_and_leaves_row_untouched(store, table):
    store.upsert(table, [row(pts=101, day=2)])
    result = store.upsert(table, [row(pts=99, day=1)])
    assert (result.stale, result.total) == (1, 1)
    assert store.rows(table)[0]["pts"] == 101


def test_rule4_identical_row_is_unchanged(store, table):
    store.upsert(table, [row()])
    result = store.upsert(table, [row()])
    assert (result.unchanged, result.total) == (1, 1)


def test_rule4_postgres_identical_row_is_not_rewritten(pg_url):
    """No new tuple version: the physical row (ctid) and its creating transaction (xmin) stay."""
    table = scores_table()
    rows = [row(f"g{i}", pts=i) for i in range(50)]
    with fieldhouse.connect(pg_url) as store:
        store.upsert(table, rows)
        before = store.conn.execute(f'SELECT game_id, ctid::text, xmin::text FROM "{table.name}" ORDER BY 1').fetchall()
        result = store.upsert(table, rows)
        after = store.conn.execute(f'SELECT game_id, ctid::text, xmin::text FROM "{table.name}" ORDER BY 1').fetchall()
    assert result.unchanged == 50
    assert before == after


def test_rule5_equal_version_tie_break_is_independent_of_arrival_order(db_url):
    a, b = row(pts=100, team="BOS"), row(pts=100, team="NYK")
    winners = []
    for order in ([a], [b]), ([b], [a]):
        table = scores_table()
        with fieldhouse.connect(db_url) as store:
            first = store.upsert(table, order[0])
            second = store.upsert(table, order[1])
            winners.append(store.rows(table)[0]["team"])
        assert first.inserted == 1
        assert second.updated + second.stale == 1
    assert winners[0] == winners[1]


def test_rule5_a_more_complete_row_wins_a_tie(store, table):
    """At equal version the copy with more non-NULL values wins, then the content hash."""
    store.upsert(table, [row(pts=100)])
    result = store.upsert(table, [{"game_id": "g1", "team": None, "pts": 100, "captured_at": ts(1)}])
    assert result.stale == 1
    assert store.rows(table)[0]["team"] == "BOS"


def test_rule6_duplicates_in_one_batch_resolve_like_separate_batches(store, table):
    batch = [row(pts=1, day=1), row(pts=3, day=3), row(pts=2, day=2), row(pts=3, day=3)]
    result = store.upsert(table, batch)
    assert result.counts() == {"inserted": 1, "updated": 0, "unchanged": 1, "stale": 2, "rejected": 0, "deleted": 0}
    assert store.rows(table)[0]["pts"] == 3


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"team": "BOS", "pts": 1, "captured_at": ts(1)}, "primary key column 'game_id' is missing"),
        ({"game_id": None, "pts": 1, "captured_at": ts(1)}, "primary key column 'game_id' is missing or null"),
        ({"game_id": "g9", "pts": 1}, "version column 'captured_at' is missing or null"),
        ({"game_id": "g9", "pts": "twelve", "captured_at": ts(1)}, "column 'pts': cannot cast 'twelve' to int"),
        ({"game_id": "g9", "pts": 1, "captured_at": "yesterday"}, "column 'captured_at': cannot cast"),
        ({"game_id": "g9", "pts": 1, "captured_at": ts(1), "rebounds": 4}, "unknown column(s) 'rebounds'"),
        (["g9", 1], "a row must be a mapping"),
    ],
)
def test_rule7_rows_that_do_not_fit_are_rejected_with_a_reason(store, table, bad, reason):
    result = store.upsert(table, [row("g1"), bad, row("g2")])
    assert (result.inserted, result.rejected) == (2, 1)
    assert result.rejects[0].row == bad
    assert reason in result.rejects[0].reason
    assert result.rejects[0].table == table.name
    assert store.count(table) == 2


def test_rule8_a_failing_batch_writes_nothing_and_names_the_table(db_url):
    table = scores_table()
    with fieldhouse.connect(db_url) as store:
        store.upsert(table, [row("g0", pts=5)])
        # A rule the database enforces that the batch breaks in its last row.
        if store.dialect == "postgresql":
            store.conn.execute(f'ALTER TABLE "{table.name}" ADD CONSTRAINT pts_small CHECK (pts < 1000)')
        elif store.dialect == "delta":  # a Delta CHECK constraint, enforced by every writer
            store.open_table(table).alter.add_constraint({"pts_small": "pts < 1000"})
        else:
            store.conn.execute(
                f'CREATE TRIGGER pts_small BEFORE INSERT ON "{table.name}" '
                "WHEN NEW.pts >= 1000 BEGIN SELECT RAISE(ABORT, 'pts too large'); END"
            )
        batch = [row("g0", pts=6, day=2), *(row(f"g{i}", pts=i) for i in range(1, 20)), row("g99", pts=5000)]
        with pytest.raises(StoreError) as info:
            store.upsert(table, batch)
        assert table.name in str(info.value)
        assert "nothing of it was written" in str(info.value)
        assert [(r["game_id"], r["pts"]) for r in store.rows(table)] == [("g0", 5)]
        # The store stays usable after the failure.
        assert store.upsert(table, [row("g1", pts=1)]).inserted == 1


def test_rule8_lost_connection_rolls_back(pg_url):
    table = scores_table()
    with fieldhouse.connect(pg_url) as store:
        store.upsert(table, [row("g0")])
        pid = store.conn.info.backend_pid
        with psycopg.connect(pg_url, autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError, match=table.name):
            store.upsert(table, [row("g1"), row("g2")])
    with fieldhouse.connect(pg_url) as fresh:
        assert [r["game_id"] for r in fresh.rows(table)] == ["g0"]


def test_transaction_groups_writes_to_several_tables(db_url):
    skip_on_delta(db_url, "a Delta commit cannot join a transaction of several writes (capability multi_table_transactions is False): each batch commits on its own")
    a, b = scores_table(), scores_table()
    with fieldhouse.connect(db_url) as store:
        store.ensure_table(a)
        store.ensure_table(b)
        with pytest.raises(RuntimeError), store.transaction():
            store.upsert(a, [row("g1")])
            store.upsert(b, [row("g1")])
            raise RuntimeError("unit failed")
        assert store.count(a) == store.count(b) == 0
        with store.transaction():
            store.upsert(a, [row("g1")])
            store.upsert(b, [row("g1")])
        assert store.count(a) == store.count(b) == 1


def test_insert_new_never_overwrites(db_url):
    table = scores_table()
    with fieldhouse.connect(db_url) as store:
        store.insert_new(table, [row(pts=1, day=1)])
        result = store.insert_new(table, [row(pts=2, day=5), row("g2")])
        assert (result.inserted, result.unchanged) == (1, 1)
        assert store.rows(table)[0]["pts"] == 1


def test_written_at_is_set_on_insert_and_update_only(db_url):
    table = fieldhouse.Table(
        "payments",
        columns={"id": "int", "amount": "decimal(10,2)", "captured_at": "timestamptz", "processed_at": "timestamptz"},
        primary_key=["id"], version="captured_at", written_at="processed_at",
    )
    with fieldhouse.connect(db_url) as store:
        store.upsert(table, [{"id": 1, "amount": "10.5", "captured_at": ts(1)}])
        first = store.rows(table)[0]["processed_at"]
        assert first is not None
        assert store.upsert(table, [{"id": 1, "amount": "10.50", "captured_at": ts(1)}]).unchanged == 1
        assert store.rows(table)[0]["processed_at"] == first
        store.upsert(table, [{"id": 1, "amount": "11", "captured_at": ts(2)}])
        assert store.rows(table)[0]["processed_at"] > first


def test_every_type_round_trips(db_url):
    from datetime import date
    from decimal import Decimal

    table = fieldhouse.Table(
        "nba.all_types",
        columns={
            "k": "bigint", "i": "int", "f": "float", "d": "decimal(7,3)", "t": "text", "b": "bool",
            "day": "date", "at": "timestamptz", "j": "json",
        },
        primary_key=["k"], version="at",
    )
    given = {"k": 2**40, "i": "-7", "f": "36:12", "d": "12.5", "t": "héllo 'quoted' \"x\"", "b": "W",
             "day": "APR 14, 2024", "at": "2024-04-14T20:30:00-04:00", "j": '{"b": [1, 2], "a": null}'}
    with fieldhouse.connect(db_url) as store:
        assert store.upsert(table, [given]).inserted == 1
        got = store.rows(table)[0]
        assert store.upsert(table, [given]).unchanged == 1
    assert got == {
        "k": 2**40, "i": -7, "f": pytest.approx(36.2), "d": Decimal("12.500"), "t": "héllo 'quoted' \"x\"",
        "b": True, "day": date(2024, 4, 14), "at": ts(0).replace(month=4, day=15, hour=0, minute=30),
        "j": {"a": None, "b": [1, 2]},
    }


def test_counts_are_logged_without_rows(db_url, caplog):
    table = scores_table()
    with caplog.at_level(logging.DEBUG, logger="fieldhouse"), fieldhouse.connect(db_url) as store:
        store.upsert(table, [row()])
    assert "inserted=1" in caplog.text


def test_a_table_created_in_a_rolled_back_transaction_is_created_again(db_url):
    skip_on_delta(db_url, "a Delta commit cannot join a transaction of several writes (capability multi_table_transactions is False): each batch commits on its own")
    table = scores_table()
    with fieldhouse.connect(db_url) as store:
        with pytest.raises(RuntimeError), store.transaction():
            store.upsert(table, [row("g1")])
            raise RuntimeError("unit failed")
        assert store.upsert(table, [row("g1")]).inserted == 1


def test_a_newer_copy_with_the_same_values_is_an_update_counted_as_refreshed(db_url):
    table = scores_table()
    with fieldhouse.connect(db_url) as store:
        store.upsert(table, [row("g1", pts=100, day=1), row("g2", pts=50, day=1)])
        result = store.upsert(table, [row("g1", pts=100, day=2), row("g2", pts=51, day=2)])
        assert (result.updated, result.refreshed) == (2, 1)
        assert store.rows(table)[0]["captured_at"] == ts(2)  # the version still moves


def test_the_version_is_not_part_of_the_content_hash(db_url):
    table = scores_table()
    with fieldhouse.connect(db_url) as store:
        store.upsert(table, [row("g1", day=1)])
        store.upsert(table, [row("g1", day=2)])
        hashes = stored_ranks(store, table)
    from fieldhouse.stores.prepare import prepare

    expected = prepare(table, [row("g1", day=7)]).rows[0][-1]
    assert hashes == [expected]
