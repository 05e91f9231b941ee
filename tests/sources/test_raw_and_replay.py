"""The raw landing zone and replay, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

import fieldhouse
from fieldhouse.errors import BadResponseError, FieldhouseError
from fieldhouse.sources.nba import NBAClient
from fieldhouse.sources.raw import RAW_TABLE, decode_body, land, raw_count, raw_responses
from fieldhouse.sources.replay import Registry, ingest, replay

from .handlers import TEAM_GAMES, league_game_log
from .helpers import correct_first_game, drop_table, fetch_log


@pytest.fixture
def reg() -> Registry:
    reg = Registry()
    reg.register("nba", "leaguegamelog", league_game_log)
    return reg


@pytest.fixture
def client(make_fetcher) -> NBAClient:
    return NBAClient(make_fetcher())


def test_a_response_is_stored_once_and_its_first_capture_is_reused(db_url, client, clock):
    first = fetch_log(client)
    clock.advance(3600)
    again = fetch_log(client)
    assert again.captured_at > first.captured_at and again.body == first.body
    with fieldhouse.connect(db_url) as store:
        a = land(store, first)
        b = land(store, again)
        assert a.stored and not b.stored
        assert b.captured_at == first.captured_at  # re-synced data keeps its version
        assert raw_count(store) == 1
        [row] = store.rows(RAW_TABLE)
    assert row["source"] == "nba" and row["endpoint"] == "leaguegamelog"
    assert row["params"] == first.params_text and '"SeasonType":"Playoffs"' in row["params"]
    assert row["content_hash"] == first.content_hash
    assert row["captured_at"] == first.captured_at
    assert decode_body(row["body"]) == first.body  # compressed, byte for byte
    assert len(row["body"]) < len(first.body) / 3


def test_changed_content_is_a_new_version_and_a_revert_is_newest_again(db_url, client, server, clock):
    a1 = fetch_log(client)
    clock.advance(60)
    correct_first_game(server)
    b = fetch_log(client)
    clock.advance(60)
    correct_first_game(server, -1)  # back to the original content
    a2 = fetch_log(client)
    assert a2.body == a1.body != b.body
    with fieldhouse.connect(db_url) as store:
        assert land(store, a1).stored and land(store, b).stored
        landed = land(store, a2)
        assert landed.stored and landed.captured_at == a2.captured_at
        history = sorted(raw_responses(store), key=lambda r: r.captured_at)
    assert [r.content_hash for r in history] == [b.content_hash, a1.content_hash]


def test_an_older_capture_landed_late_does_not_become_the_newest(db_url, client, server, clock):
    old = fetch_log(client)
    clock.advance(60)
    correct_first_game(server)
    new = fetch_log(client)
    with fieldhouse.connect(db_url) as store:
        land(store, new)
        landed = land(store, old)  # an overlapping run that fetched earlier stores later
        assert landed.stored and landed.captured_at == old.captured_at
        newest = max(raw_responses(store), key=lambda r: r.captured_at)
    assert newest.content_hash == new.content_hash


def test_a_bad_body_is_never_stored(db_url, client, server, reg):
    server.fail("empty", times=5)
    with fieldhouse.connect(db_url) as store:
        with pytest.raises(BadResponseError):
            ingest(store, fetch_log(client), reg)
        assert raw_count(store) == 0
        server.fail("truncate")
        ingest(store, fetch_log(client), reg)  # truncated first, then the good body
        [raw] = raw_responses(store)
        assert raw.data["resultSets"][0]["rowSet"]
        assert len(raw.data["resultSets"][0]["rowSet"]) == 164


def _ingest_history(url, client, server, clock, reg):
    """Regular season, playoffs, then a correction of the playoffs: three raw versions."""
    with fieldhouse.connect(url) as store:
        ingest(store, fetch_log(client, "Regular Season"), reg)
        clock.advance(60)
        ingest(store, fetch_log(client), reg)
        clock.advance(60)
        correct_first_game(server, 5)
        result = ingest(store, fetch_log(client), reg)
        assert result.landed.stored
        assert result.results[TEAM_GAMES.name].updated == 164
        return store.rows(TEAM_GAMES)


def test_replay_rebuilds_the_tables_exactly(db_url, client, server, clock, reg):
    before = _ingest_history(db_url, client, server, clock, reg)
    assert len(before) == 2460 + 164
    drop_table(db_url, TEAM_GAMES)
    with fieldhouse.connect(db_url) as store:
        report = replay(store, reg=reg)
        assert report.ok and report.responses == 3
        assert store.rows(TEAM_GAMES) == before
        again = replay(store, reg=reg)  # replaying twice changes nothing
        assert again.tables[TEAM_GAMES.name].written == 0
        assert store.rows(TEAM_GAMES) == before


def test_replay_never_brings_older_values_back(db_url, client, server, clock, reg):
    before = _ingest_history(db_url, client, server, clock, reg)
    corrected = {(r["game_id"], r["team_id"]): r["pts"] for r in before}
    with fieldhouse.connect(db_url) as store:
        oldest_first = list(raw_responses(store, source="nba"))
        older_playoffs = oldest_first[1]
        # replay only the older playoffs capture: every row is stale, nothing changes
        result = league_game_log(store, older_playoffs)[TEAM_GAMES.name]
        assert result.stale == 164 and result.written == 0
        replay(store, reg=reg)
        after = {(r["game_id"], r["team_id"]): r["pts"] for r in store.rows(TEAM_GAMES)}
    assert after == corrected


def test_replay_since_and_source_filter_and_unhandled_are_reported(db_url, client, clock, reg):
    with fieldhouse.connect(db_url) as store:
        ingest(store, fetch_log(client, "Regular Season"), reg)
        clock.advance(86400 * 2)
        ingest(store, fetch_log(client), reg)
        start = (clock.utcnow() - timedelta(days=1)).date()
        assert replay(store, since=start, reg=reg).responses == 1
        assert replay(store, source="mlb", reg=reg).responses == 0
        report = replay(store, reg=Registry())
    assert report.responses == 0 and report.unhandled == {"nba/leaguegamelog": 2}


def test_a_failing_handler_is_reported_and_rolled_back(sqlite_url, client, reg):
    def broken(store, raw):
        store.ensure_table(TEAM_GAMES)
        store.upsert(TEAM_GAMES, [])
        raise FieldhouseError("cannot map this")

    with fieldhouse.connect(sqlite_url) as store:
        ingest(store, fetch_log(client), reg)
        bad = Registry()
        bad.register("nba", "leaguegamelog", broken)
        report = replay(store, reg=bad)
    assert not report.ok and report.failures[0][3] == "cannot map this"
