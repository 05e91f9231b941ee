"""Partitioned PostgreSQL tables (``Table(partition_by=...)``, docs/scale.md): the core
upsert-rule tests again on a LIST-partitioned table, RANGE partitions by month, partitions
created on demand by concurrent writers, and ensure_table refusing to change partitioning."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, date, datetime

import pytest

import fieldhouse
from fieldhouse import SchemaError
from fieldhouse.stores.postgresql_partitions_sql import LIST_PARTITIONS
from fieldhouse.stores.postgresql_sql import qualified

from .helpers import run_concurrently, ts
from .test_upsert_rules import (  # noqa: F401  (collected here, with the fixtures below)
    row,
    test_rule1_new_key_is_inserted,
    test_rule2_newer_version_updates,
    test_rule3_older_version_is_stale_and_leaves_row_untouched,
    test_rule4_identical_row_is_unchanged,
    test_rule5_a_more_complete_row_wins_a_tie,
    test_rule6_duplicates_in_one_batch_resolve_like_separate_batches,
    test_rule7_rows_that_do_not_fit_are_rejected_with_a_reason,
)

pytestmark = pytest.mark.postgres


def partitioned_scores(name: str = "scores", **changes) -> fieldhouse.Table:
    spec = dict(columns={"game_id": "text", "team": "text", "pts": "int", "captured_at": "timestamptz"},
                primary_key=["game_id"], version="captured_at", partition_by=["game_id"])
    spec.update(changes)
    return fieldhouse.Table(name, **spec)


@pytest.fixture
def store(pg_url):
    with fieldhouse.connect(pg_url) as s:
        yield s


@pytest.fixture
def table(store):
    """The rule tests' table, LIST-partitioned by its key (one partition per game)."""
    t = partitioned_scores()
    store.ensure_table(t)
    return t


def partitions_of(store, table) -> dict[str, int]:
    rows = store.conn.execute(
        f"SELECT tableoid::regclass::text, count(*) FROM {qualified(table)} GROUP BY 1").fetchall()
    return dict(rows)


def test_the_store_says_it_partitions(store):
    assert store.capabilities.partitions


def test_rows_land_in_one_partition_per_value_created_on_demand(store, table):
    result = store.upsert(table, [row("g1"), row("g2"), row("g2", pts=1, day=0)])
    assert (result.inserted, result.stale) == (2, 1)
    found = partitions_of(store, table)
    assert len(found) == 2 and all(n == 1 for n in found.values())
    assert all(name.startswith("scores_p_g") for name in found)


SEASONS = fieldhouse.Table(
    "league.player_games",
    columns={"season": "text", "player_id": "int", "game_date": "date", "pts": "int", "v": "timestamptz"},
    primary_key=["season", "player_id", "game_date"], version="v", partition_by=["season"])

BY_MONTH = fieldhouse.Table(
    "league.plays",
    columns={"at": "timestamptz", "play_id": "int", "what": "text", "v": "timestamptz"},
    primary_key=["at", "play_id"], version="v", partition_by=["at"])


def test_range_partitions_by_utc_month(store):
    rows = [{"at": datetime(2024, 1, 31, 23, 59, tzinfo=UTC), "play_id": 1, "what": "a", "v": ts(1)},
            {"at": "2024-02-01T00:00:00Z", "play_id": 2, "what": "b", "v": ts(1)},
            {"at": "2024-01-31T20:00:00-05:00", "play_id": 3, "what": "c", "v": ts(1)}]  # Feb 1st UTC
    assert store.upsert(BY_MONTH, rows).inserted == 3
    assert sorted(partitions_of(store, BY_MONTH).items()) == [("league.plays_p_2024_01", 1), ("league.plays_p_2024_02", 2)]
    assert store.upsert(BY_MONTH, rows).unchanged == 3


def test_a_date_column_partitions_by_month_too(store):
    days = fieldhouse.Table("league.days", columns={"day": "date", "n": "int", "v": "timestamptz"},
                            primary_key=["day"], version="v", partition_by=["day"])
    store.upsert(days, [{"day": date(2023, 12, 31), "n": 1, "v": ts(1)}, {"day": "2024-01-01", "n": 2, "v": ts(1)}])
    assert sorted(partitions_of(store, days)) == ["league.days_p_2023_12", "league.days_p_2024_01"]


def test_partitions_roll_back_with_the_writing_transaction(store):
    store.ensure_table(SEASONS)
    with pytest.raises(RuntimeError), store.transaction():
        store.upsert(SEASONS, [{"season": "2018-19", "player_id": 1, "game_date": "2019-01-01", "pts": 3, "v": ts(1)}])
        raise RuntimeError("unit failed")
    assert store.count(SEASONS) == 0 and partitions_of(store, SEASONS) == {}
    assert store.conn.execute(LIST_PARTITIONS, (qualified(SEASONS),)).fetchall() == []  # rolled back too
    result = store.upsert(SEASONS, [{"season": "2018-19", "player_id": 1, "game_date": "2019-01-01", "pts": 3, "v": ts(1)}])
    assert result.inserted == 1


def season_rows(season: str, n: int = 50) -> list[dict]:
    return [{"season": season, "player_id": i, "game_date": "2019-01-01", "pts": i, "v": ts(1)} for i in range(n)]


def test_concurrent_writers_creating_the_same_partitions_do_not_fail(pg_url):
    with fieldhouse.connect(pg_url) as s:
        s.ensure_table(SEASONS)

    def write(i: int) -> None:
        with fieldhouse.connect(pg_url) as s, s.transaction():
            for season in ("2016-17", "2017-18", "2018-19"):  # all want the same new partitions
                s.upsert(SEASONS, season_rows(season)[i::4])

    run_concurrently(list(range(4)), write)
    with fieldhouse.connect(pg_url) as s:
        assert s.count(SEASONS) == 150
        assert len(partitions_of(s, SEASONS)) == 3


def _process_writer(url: str, season: str) -> None:
    with fieldhouse.connect(url) as s:
        s.upsert(SEASONS, season_rows(season))


def test_concurrent_processes_creating_the_same_partition_do_not_fail(pg_url):
    with fieldhouse.connect(pg_url) as s:
        s.ensure_table(SEASONS)
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_process_writer, args=(pg_url, "2020-21")) for _ in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    with fieldhouse.connect(pg_url) as s:
        assert s.count(SEASONS) == 50


def test_ensure_table_refuses_to_change_partitioning(store):
    store.ensure_table(SEASONS)
    plain = fieldhouse.Table(SEASONS.name, columns=dict(SEASONS.columns_spec) if hasattr(SEASONS, "columns_spec")
                             else {c: str(col.type.name) for c, col in SEASONS.columns.items()},
                             primary_key=list(SEASONS.primary_key), version="v")
    with pytest.raises(SchemaError, match="does not change an existing table's partitioning"):
        store.ensure_table(plain)
    other = fieldhouse.Table("league.unpartitioned", columns={"season": "text", "n": "int", "v": "timestamptz"},
                             primary_key=["season"], version="v")
    store.ensure_table(other)
    with pytest.raises(SchemaError, match="unpartitioned"):
        store.ensure_table(fieldhouse.Table(other.name, columns={"season": "text", "n": "int", "v": "timestamptz"},
                                            primary_key=["season"], version="v", partition_by=["season"]))
    store.ensure_table(SEASONS)  # the same declaration again is fine


def test_what_postgresql_cannot_partition_is_refused_clearly(store):
    with pytest.raises(SchemaError, match="not a primary key column"):
        fieldhouse.Table("x", columns={"a": "text", "b": "int", "v": "int"}, primary_key=["a"], version="v",
                         partition_by=["b"])
    two = fieldhouse.Table("x2", columns={"a": "text", "b": "int", "v": "int"}, primary_key=["a", "b"], version="v",
                           partition_by=["a", "b"])
    with pytest.raises(SchemaError, match="one column"):
        store.ensure_table(two)
    flag = fieldhouse.Table("x3", columns={"a": "bool", "v": "int"}, primary_key=["a"], version="v", partition_by=["a"])
    with pytest.raises(SchemaError, match="bool"):
        store.ensure_table(flag)
