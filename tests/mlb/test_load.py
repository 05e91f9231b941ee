"""Writing the MLB tables with ``load_records`` into SQLite and PostgreSQL: the rows a feed
makes land as made, and the version is the feed's metaData.timeStamp, so an older capture
loaded later (a backfill fetched today) changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

import fieldhouse
from fieldhouse.sources.mlb import schema

from .helpers import (
    CAPTURED,
    FINAL_FEEDS,
    LIVE_717209,
    LIVE_746139_NEW,
    LIVE_746139_OLD,
    feed,
    feed_rows,
    fixture,
    load_endpoint,
    load_feed,
)


def _tables(store: Any) -> dict[str, list[dict[str, Any]]]:
    return {name: store.rows(table) for name, table in schema.tables().items() if store.table_exists(table)}


def _by_key(name: str, rows: list[dict[str, Any]]) -> dict[tuple, dict[str, Any]]:
    key = schema.tables()[name].primary_key
    return {tuple(r[c] for c in key): r for r in rows}


def test_a_feed_lands_as_mapped(db_url: str) -> None:
    data = feed(FINAL_FEEDS[717209])
    with fieldhouse.connect(db_url) as store:
        results = load_feed(store, data)
        stored = _tables(store)
    made = feed_rows(data)
    assert {name: r.inserted for name, r in results.items()} == {name: len(rows) for name, rows in made.items()}
    for name, rows in made.items():
        assert _by_key(name, stored[name]) == _by_key(name, rows), name
    versions = {r["updated_at"] for rows in stored.values() for r in rows}
    assert versions == {datetime(2023, 7, 30, 3, 15, 31, tzinfo=UTC)}  # metaData.timeStamp, not CAPTURED


def test_loading_a_feed_again_changes_nothing(sqlite_url: str) -> None:
    data = feed(FINAL_FEEDS[744914])
    with fieldhouse.connect(sqlite_url) as store:
        load_feed(store, data)
        again = load_feed(store, data)
    assert {name: (r.inserted, r.updated, r.stale) for name, r in again.items()} == {name: (0, 0, 0) for name in again}
    assert {name: r.unchanged for name, r in again.items()} == {name: len(rows) for name, rows in feed_rows(data).items()}


PAIRS = [(LIVE_717209, FINAL_FEEDS[717209]), (LIVE_746139_OLD, LIVE_746139_NEW)]


@pytest.mark.parametrize("newer_first", [True, False], ids=["newer-first", "older-first"])
@pytest.mark.parametrize(("older", "newer"), PAIRS, ids=["717209-live-final", "746139-live-live"])
def test_an_older_capture_never_overwrites_a_newer_one(db_url: str, older: str, newer: str, newer_first: bool) -> None:
    old, new = feed(older), feed(newer)
    with fieldhouse.connect(db_url) as store:
        if newer_first:
            load_feed(store, new)
            late = load_feed(store, old)  # a backfill of an old capture, fetched after the newer one
            assert all(r.inserted == r.updated == 0 for r in late.values())
            assert sum(r.stale for r in late.values()) == sum(len(rows) for rows in feed_rows(old).values())
        else:
            load_feed(store, old)
            load_feed(store, new)
        stored = _tables(store)
    # Every key of the older capture is in the newer one, so the tables are the newer capture's rows.
    assert {n: _by_key(n, r) for n, r in stored.items()} == {n: _by_key(n, r) for n, r in feed_rows(new).items()}


def test_the_final_capture_makes_a_live_game_final(sqlite_url: str) -> None:
    with fieldhouse.connect(sqlite_url) as store:
        load_feed(store, feed(LIVE_717209))
        [live] = store.rows(schema.tables()["mlb.games"])
        load_feed(store, feed(FINAL_FEEDS[717209]))
        [final] = store.rows(schema.tables()["mlb.games"])
        plays = store.rows(schema.tables()["mlb.plays"])
    assert (live["status"], live["home_score"], final["status"], final["home_score"]) == ("in_progress", 0, "final", 4)
    assert len(plays) == 68 and all(p["is_complete"] for p in plays)


def test_schedule_teams_and_people_are_versioned_by_capture_time(db_url: str) -> None:
    earlier, later = datetime(2024, 7, 1, 12, tzinfo=UTC), datetime(2024, 7, 2, 12, tzinfo=UTC)
    schedule = fixture("schedule/schedule_date-2024-07-01_sportId-1.json")
    with fieldhouse.connect(db_url) as store:
        first = load_endpoint(store, "schedule", schedule, later)
        stale = load_endpoint(store, "schedule", schedule, earlier)
        teams = load_endpoint(store, "teams", fixture("teams/teams_season-2024_sportId-1.pymlb_envelope.json.gz"))
        people = load_endpoint(store, "people", fixture("person/person_personIds-592450.pymlb_envelope.json.gz"))
        listings = store.rows(schema.tables()["mlb.schedule"])
    assert first.tables["mlb.schedule"].inserted == 3 and stale.tables["mlb.schedule"].stale == 3
    assert {r["captured_at"] for r in listings} == {later}
    assert teams.tables["mlb.teams"].inserted == 30
    assert people.tables["mlb.players"].inserted == 1


def test_a_person_fetched_today_wins_over_an_old_feed(sqlite_url: str) -> None:
    data = feed(FINAL_FEEDS[717209])
    person = fixture("person/person_personIds-665487.pymlb_envelope.json.gz")
    pid = person["people"][0]["id"]
    with fieldhouse.connect(sqlite_url) as store:
        load_endpoint(store, "people", person, CAPTURED)
        load_feed(store, data)
        [row] = store.rows(schema.tables()["mlb.players"], where={"player_id": pid})
    assert f"ID{pid}" in data["gameData"]["players"]
    assert row["updated_at"] == CAPTURED
