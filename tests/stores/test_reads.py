"""Bounded reads on every store: rows / iter_rows / count / max_value with where, columns,
order_by and limit (stores/reads.py), and the capabilities a store declares."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldhouse
from fieldhouse import CastError, SchemaError
from fieldhouse.stores import Capabilities

from .helpers import scores_table, ts

TEAMS = [None, "BOS", "NYK", "bos", "Ä", "a", "ab", ""]


def _rows():
    return [
        {"game_id": f"g{i:02d}", "team": TEAMS[i % len(TEAMS)], "pts": None if i % 5 == 0 else i % 7,
         "captured_at": ts(i % 4)}
        for i in range(40)
    ]


@pytest.fixture
def loaded(db_url):
    table = scores_table(day="date")
    with fieldhouse.connect(db_url) as store:
        store.upsert(table, [{**r, "day": date(2024, 1, 1 + i % 3)} for i, r in enumerate(_rows())])
        yield store, table


def test_capabilities_of_the_sql_stores(db_url):
    with fieldhouse.connect(db_url) as store:
        caps = store.capabilities
    if db_url.startswith("delta"):  # data only: control tables go to a control store
        assert caps == Capabilities(transactions=True, multi_table_transactions=False, locks=False,
                                    server_side_cursors=True, snapshots=True, control=False, partitions=True)
        return
    assert caps == Capabilities(transactions=True, multi_table_transactions=True, locks=True,
                                server_side_cursors=True, snapshots=True, control=True,
                                partitions=store.url.dialect == "postgresql")
    with pytest.raises(dataclasses.FrozenInstanceError):
        caps.control = False  # type: ignore[misc]


def test_equality_where_matches_null_and_columns_limit_the_result(loaded):
    store, table = loaded
    assert [r["game_id"] for r in store.rows(table, where={"team": None})] == ["g00", "g08", "g16", "g24", "g32"]
    got = store.rows(table, where={"team": "BOS", "pts": None}, columns=["game_id", "pts"])
    assert got == [{"game_id": "g25", "pts": None}]


def test_comparisons_in_and_startswith(loaded):
    store, table = loaded
    assert store.count(table, where={"captured_at": (">=", ts(3))}) == 10
    assert store.count(table, where={"captured_at": [(">", ts(0)), ("<", "2024-01-04T00:00:00Z")]}) == 20
    assert store.count(table, where={"team": ("in", ["BOS", None])}) == 10
    assert store.count(table, where={"team": ("not in", ["BOS", None])}) == 30
    assert store.count(table, where={"team": ("not in", ["BOS"])}) == 35  # NULL is not BOS
    assert store.count(table, where={"team": ("!=", None)}) == 35
    assert store.count(table, where={"team": ("!=", "BOS")}) == 35
    assert store.count(table, where={"team": ("in", [])}) == 0
    assert [r["game_id"] for r in store.rows(table, where={"game_id": ("startswith", "g1")})] == \
        [f"g{i}" for i in range(10, 20)]
    assert store.count(table, where={"day": ("<=", "2024-01-02")}) == 27


def test_text_compares_and_orders_by_code_point_on_every_store(loaded):
    store, table = loaded
    teams = [r["team"] for r in store.rows(table, order_by=["team", "-game_id"], columns=["team"])]
    non_null = [t for t in TEAMS if t is not None]
    assert teams == [None] * 5 + [t for t in sorted(non_null) for _ in range(5)]  # NULL first ascending
    assert store.count(table, where={"team": (">", "BOS")}) == 25  # NYK, a, ab, bos, Ä
    down = [r["team"] for r in store.rows(table, order_by="-team", columns=["team"])]
    assert down == list(reversed(teams))


def test_order_is_completed_by_the_key_and_limit_applies(loaded):
    store, table = loaded
    got = store.rows(table, order_by="-captured_at", limit=3, columns=["game_id"])
    assert got == [{"game_id": "g03"}, {"game_id": "g07"}, {"game_id": "g11"}]
    assert store.rows(table, limit=0) == []
    assert store.max_value(table, "pts", where={"team": "BOS"}) == 5
    assert store.max_value(table, "captured_at", where={"team": "nobody"}) is None
    assert store.max_value(table, "team") == "Ä"


def test_iter_rows_streams_the_same_rows_as_rows(loaded):
    store, table = loaded
    where = {"captured_at": ("<", ts(3))}
    assert list(store.iter_rows(table, where=where, order_by="-pts", batch_size=7)) == \
        store.rows(table, where=where, order_by="-pts")


def test_the_loop_over_iter_rows_may_commit_and_roll_back_its_own_transactions(loaded):
    """Replay writes each response in a transaction of its own while it iterates; a
    transaction that fails (creating a table, then rolled back) must not end the iteration."""
    store, table = loaded
    other = scores_table()
    seen = 0
    for i, row in enumerate(store.iter_rows(table, columns=["game_id", "team", "pts", "captured_at"], batch_size=4)):
        seen += 1
        if i % 3 == 0:
            with pytest.raises(RuntimeError), store.transaction():
                store.upsert(scores_table(), [row])  # creates a table, rolled back
                raise RuntimeError("handler failed")
        else:
            store.upsert(other, [row])
    assert seen == 40
    assert store.count(other) == 26


def test_iter_rows_inside_a_transaction_sees_its_writes(loaded):
    store, table = loaded
    with store.transaction():
        store.upsert(table, [{"game_id": "zz", "pts": 1, "captured_at": ts(9)}])
        assert [r["game_id"] for r in store.iter_rows(table, where={"captured_at": ts(9)})] == ["zz"]


def test_postgresql_iter_rows_uses_a_server_side_cursor(pg_url):
    table = scores_table()
    with fieldhouse.connect(pg_url) as store:
        store.upsert(table, _rows())
        rows = store.iter_rows(table, batch_size=5)
        next(rows)
        cursors = store.conn.execute("SELECT count(*) FROM pg_cursors WHERE name LIKE '_fh_cursor_%'").fetchone()[0]
        assert cursors == 1
        assert len(list(rows)) == 39
        assert store.conn.execute("SELECT count(*) FROM pg_cursors").fetchone()[0] == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        (dict(where={"nope": 1}), SchemaError, "has no column 'nope'"),
        (dict(where={"pts": ("~", 1)}), SchemaError, "op one of"),
        (dict(where={"pts": ("<", None)}), SchemaError, "cannot compare with NULL"),
        (dict(where={"pts": ("in", 3)}), SchemaError, "collection"),
        (dict(where={"pts": ("startswith", "1")}), SchemaError, "text column"),
        (dict(where={"pts": "many"}), CastError, "where 'pts'"),
        (dict(order_by="-nope"), SchemaError, "order_by"),
        (dict(columns=["game_id", "x"]), SchemaError, "has no column 'x'"),
        (dict(limit=-1), SchemaError, "limit"),
    ],
)
def test_a_bad_read_is_one_clear_error(db_url, kwargs, error, message):
    table = scores_table()
    with fieldhouse.connect(db_url) as store:
        store.ensure_table(table)
        with pytest.raises(error, match=message):
            store.rows(table, **kwargs)
        with pytest.raises(error, match=message):
            store.iter_rows(table, **kwargs)  # checked at the call, not at the first row


def test_json_columns_cannot_be_ordered(db_url):
    table = scores_table(extra="json")
    with fieldhouse.connect(db_url) as store:
        store.ensure_table(table)
        with pytest.raises(SchemaError, match="json"):
            store.rows(table, order_by="extra")


PREDICATES = st.one_of(
    st.tuples(st.just("team"), st.sampled_from(["=", "!=", "<", "<=", ">", ">="]), st.sampled_from(TEAMS[1:])),
    st.tuples(st.just("team"), st.sampled_from(["=", "!="]), st.none()),
    st.tuples(st.just("pts"), st.sampled_from(["<", ">=", "="]), st.integers(0, 7)),
    st.tuples(st.just("team"), st.sampled_from(["in", "not in"]), st.lists(st.sampled_from(TEAMS), max_size=3)),
)
_OPS = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a is not None and a < b,
        "<=": lambda a, b: a is not None and a <= b, ">": lambda a, b: a is not None and a > b,
        ">=": lambda a, b: a is not None and a >= b, "in": lambda a, b: a in b, "not in": lambda a, b: a not in b}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pred=PREDICATES, order=st.sampled_from(["team", "-team", "pts", "-pts", "-captured_at"]),
       limit=st.one_of(st.none(), st.integers(0, 12)))
def test_reads_equal_the_same_filter_and_sort_in_python(loaded, pred, order, limit):
    store, table = loaded
    column, op, value = pred
    rows = store.rows(table)
    expected = [r for r in rows if _OPS[op](r[column], value)]
    desc, col = order.startswith("-"), order.lstrip("-")
    # NULL first ascending, last descending; ties in key order
    expected.sort(key=lambda r: r["game_id"])
    expected.sort(key=lambda r: (r[col] is not None, r[col] if r[col] is not None else 0), reverse=desc)
    if limit is not None:
        expected = expected[:limit]
    got = store.rows(table, where={column: (op, value)}, order_by=order, limit=limit)
    assert [r["game_id"] for r in got] == [r["game_id"] for r in expected]
