"""``fieldhouse.sync("mlb", ...)`` over the fake server serving the recorded MLB responses: by date, by games,
captures of one game in both orders, an idempotent second sync, bad bodies never stored."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

import fieldhouse
from fieldhouse.runs import deadletters, ledger
from fieldhouse.settings import Settings
from fieldhouse.sources.mlb import schema
from fieldhouse.sources.mlb.fakeroutes import serve_recorded
from fieldhouse.sources.raw import raw_responses
from fieldhouse.testing import FakeStatsServer

from .helpers import (
    FINAL_FEEDS,
    FIXTURES,
    LIVE_717209,
    LIVE_746139_NEW,
    LIVE_746139_OLD,
    feed,
    feed_rows,
)

JULY_1 = (date(2024, 7, 1), date(2024, 7, 1))
SCHEDULE_JULY_1 = FIXTURES / "schedule" / "schedule_date-2024-07-01_sportId-1.json"
SEASONS_2024 = FIXTURES / "seasons" / "seasons_seasonId-2024_sportId-1.pymlb_envelope.json.gz"
FEED_PATH = "/api/v1.1/game/{}/feed/live"


def feed_file(stem: str):
    [path] = [p for p in (FIXTURES / "liveGameV1").iterdir() if p.name.startswith(stem + ".")]
    return path


@pytest.fixture
def server() -> Iterator[FakeStatsServer]:
    """The pre-flight's seasons answer, the 2024-07-01 schedule and one feed of each game
    that has a complete one (the newest capture of the pairs)."""
    with FakeStatsServer() as srv:
        serve_recorded(srv, SEASONS_2024)
        serve_recorded(srv, SCHEDULE_JULY_1)
        for stem in FINAL_FEEDS.values():
            serve_recorded(srv, feed_file(stem))
        serve_recorded(srv, feed_file(LIVE_746139_NEW))
        yield srv


def settings_for(url: str, srv: FakeStatsServer) -> Settings:
    return Settings(database_url=url, mlb={"base_url": srv.url("/api"), "min_interval": 0, "jitter": 0},
                    http_backoff_initial=0, http_backoff_jitter=0, http_max_attempts=2)


def rows(url: str, name: str, **where: Any) -> list[dict[str, Any]]:
    with fieldhouse.connect(url) as store:
        table = schema.tables()[name]
        return store.rows(table, where=where or None) if store.table_exists(table) else []


def statuses(report) -> dict[str, str]:
    return {u.key: u.status for u in report.units}


def test_sync_by_date_lands_the_schedule_and_every_recorded_game(db_url: str, server: FakeStatsServer) -> None:
    report = fieldhouse.sync("mlb", settings_for(db_url, server), dates=JULY_1)
    # The schedule lists three games; only 744914's feed is recorded: the other two fail on
    # their own (404), each with a dead letter, and the rest of the run goes on.
    assert statuses(report) == {"mlb/schedule/2024-07-01..2024-07-01": "success", "mlb/game/744914": "success",
                                "mlb/game/744840": "failed", "mlb/game/746535": "failed"}
    assert report.status == "partial"
    assert report.http_calls == 1 + 1 + 3  # pre-flight, one schedule call, one feed per game
    assert server.hits("/api/v1/schedule") == 1
    assert {r["game_pk"] for r in rows(db_url, "mlb.schedule")} == {744914, 744840, 746535}
    [game] = rows(db_url, "mlb.games")
    assert (game["game_pk"], game["status"]) == (744914, "final")
    made = feed_rows(feed(FINAL_FEEDS[744914]))
    for name in ("mlb.plays", "mlb.pitches", "mlb.runners", "mlb.batting"):
        assert len(rows(db_url, name, game_pk=744914)) == len(made[name]), name
    with fieldhouse.connect(db_url) as store:
        letters = deadletters.list_letters(store, source="mlb")
    assert sorted(x["unit_key"] for x in letters) == ["mlb/game/744840", "mlb/game/746535"]
    # The audits say what is missing, by game.
    assert not report.audit.passed
    assert "744840" in report.audit.summary() and "746535" in report.audit.summary()


def test_a_second_sync_fetches_no_final_feed_again(sqlite_url: str, server: FakeStatsServer) -> None:
    settings = settings_for(sqlite_url, server)
    fieldhouse.sync("mlb", settings, dates=JULY_1)
    again = fieldhouse.sync("mlb", settings, dates=JULY_1)
    assert statuses(again)["mlb/game/744914"] == "skipped"
    assert server.hits(FEED_PATH.format(744914)) == 1
    # pre-flight + schedule + the two open dead letters retried (still missing)
    assert again.http_calls == 1 + 1 + 2
    assert all(r.inserted == r.updated == 0 for r in again.tables.values())
    full = fieldhouse.sync("mlb", settings, dates=JULY_1, full=True)
    assert statuses(full)["mlb/game/744914"] == "success"
    assert server.hits(FEED_PATH.format(744914)) == 2
    assert {n: (r.inserted, r.updated) for n, r in full.tables.items() if r.total} == {
        n: (0, 0) for n, r in full.tables.items() if r.total}


def test_sync_games_follows_live_to_final(db_url: str, server: FakeStatsServer) -> None:
    settings = settings_for(db_url, server)
    serve_recorded(server, feed_file(LIVE_717209))
    serve_recorded(server, feed_file(LIVE_746139_OLD))
    first = fieldhouse.sync("mlb", settings, games=[717209, 746139])
    assert statuses(first) == {"mlb/game/717209": "success", "mlb/game/746139": "success"}
    assert {g["game_pk"]: g["status"] for g in rows(db_url, "mlb.games")} == {717209: "in_progress", 746139: "in_progress"}

    serve_recorded(server, feed_file(FINAL_FEEDS[717209]))   # the game ends
    serve_recorded(server, feed_file(LIVE_746139_NEW))       # the other goes on
    second = fieldhouse.sync("mlb", settings, games=[717209, 746139])
    assert statuses(second) == {"mlb/game/717209": "success", "mlb/game/746139": "success"}
    games = {g["game_pk"]: g for g in rows(db_url, "mlb.games")}
    assert games[717209]["status"] == "final"
    assert games[717209]["updated_at"] == datetime(2023, 7, 30, 3, 15, 31, tzinfo=UTC)
    assert games[746139]["updated_at"] == datetime(2024, 6, 12, 4, 27, 17, tzinfo=UTC)
    for pk, stem in ((717209, FINAL_FEEDS[717209]), (746139, LIVE_746139_NEW)):
        assert len(rows(db_url, "mlb.plays", game_pk=pk)) == len(feed_rows(feed(stem))["mlb.plays"])

    third = fieldhouse.sync("mlb", settings, games=[717209, 746139])
    assert statuses(third) == {"mlb/game/717209": "skipped", "mlb/game/746139": "success"}  # live: fetched again
    assert third.http_calls == 1 + 1


@pytest.mark.parametrize(("pk", "older", "newer"), [(717209, LIVE_717209, FINAL_FEEDS[717209]),
                                                    (746139, LIVE_746139_OLD, LIVE_746139_NEW)])
def test_an_older_capture_served_later_changes_nothing(sqlite_url: str, server: FakeStatsServer, pk: int,
                                                       older: str, newer: str) -> None:
    """The API (or a lagging cache in front of it) answers with an older capture after a
    newer one: every row of it is stale, the tables stay the newer capture's."""
    settings = settings_for(sqlite_url, server)
    serve_recorded(server, feed_file(newer))
    fieldhouse.sync("mlb", settings, games=[pk])
    serve_recorded(server, feed_file(older))
    late = fieldhouse.sync("mlb", settings, games=[pk], full=True)
    assert late.status == "success"
    written = {n: r for n, r in late.tables.items() if r.total}
    assert written and all(r.inserted == r.updated == 0 for r in written.values())
    assert sum(r.stale for r in written.values()) > 0
    newest = feed_rows(feed(newer))
    for name in ("mlb.games", "mlb.plays", "mlb.pitches", "mlb.linescore"):
        stored = rows(sqlite_url, name, game_pk=pk)
        key = schema.tables()[name].primary_key
        assert sorted(tuple(r[c] for c in key) for r in stored) == sorted(tuple(r[c] for c in key) for r in newest[name])
        assert {r["updated_at"] for r in stored} == {r["updated_at"] for r in newest[name]}


def _stored_feeds(url: str) -> list[dict[str, str]]:
    with fieldhouse.connect(url) as store:
        return [raw.params for raw in raw_responses(store, source="mlb", endpoint="feed/live")]


@pytest.mark.parametrize("bad", ["other_game", "no_live_data", "truncated"])
def test_a_bad_body_is_retried_and_never_stored(sqlite_url: str, server: FakeStatsServer, bad: str) -> None:
    settings = settings_for(sqlite_url, server)
    good = gzip.decompress(feed_file(FINAL_FEEDS[744914]).read_bytes())
    if bad == "other_game":
        body = gzip.decompress(feed_file(FINAL_FEEDS[745455]).read_bytes())  # a real feed, of game 745455
    elif bad == "no_live_data":
        data = json.loads(good)
        del data["liveData"]
        body = json.dumps(data).encode()
    else:
        body = good[: len(good) // 2]
    server.fail("body", times=2, path=FEED_PATH.format(744914), body=body)
    report = fieldhouse.sync("mlb", settings, games=[744914])
    assert statuses(report) == {"mlb/game/744914": "failed"}
    assert server.hits(FEED_PATH.format(744914)) == 2  # retried once, then given up
    assert _stored_feeds(sqlite_url) == []
    assert rows(sqlite_url, "mlb.games") == []
    # One bad answer, then the good one: the good one is what lands.
    server.fail("body", times=1, path=FEED_PATH.format(744914), body=body)
    retry = fieldhouse.sync("mlb", settings, games=[744914])
    assert statuses(retry) == {"mlb/game/744914": "success"}
    assert _stored_feeds(sqlite_url) == [{"gamePk": "744914"}]
    assert [g["game_pk"] for g in rows(sqlite_url, "mlb.games")] == [744914]


def test_arguments_are_checked_before_anything_is_recorded(sqlite_url: str, server: FakeStatsServer) -> None:
    settings = settings_for(sqlite_url, server)
    with pytest.raises(fieldhouse.errors.ConfigError, match="exactly one"):
        fieldhouse.sync("mlb", settings, dates=JULY_1, games=[1])
    with pytest.raises(fieldhouse.errors.ConfigError, match="after the last"):
        fieldhouse.sync("mlb", settings, dates=(date(2024, 7, 2), date(2024, 7, 1)))
    assert server.hits() == 0


def test_a_missing_folder_is_refused_before_anything_is_recorded(sqlite_url: str, tmp_path) -> None:
    with pytest.raises(fieldhouse.errors.ConfigError, match="no such file or folder"):
        fieldhouse.sync("mlb", Settings(database_url=sqlite_url), from_files=tmp_path / "nowhere")
    with fieldhouse.connect(sqlite_url) as store:
        assert ledger.list_runs(store, source="mlb") == []


def test_players_a_feed_does_not_describe_are_asked_from_people(sqlite_url: str, server: FakeStatsServer) -> None:
    data = feed(FINAL_FEEDS[717243])
    del data["gameData"]["players"]["ID660271"]  # a feed that refers to a player it does not describe
    server.routes = [r for r in server.routes if r.path != FEED_PATH.format(717243)]  # serve the changed copy
    server.add(FEED_PATH.format(717243), data)
    serve_recorded(server, FIXTURES / "person" / "person_personIds-660271.pymlb_envelope.json.gz")
    report = fieldhouse.sync("mlb", settings_for(sqlite_url, server), games=[717243])
    assert report.status == "success" and report.audit.passed, report.error
    assert [r.query for r in server.requests if r.path == "/api/v1/people"] == [{"personIds": "660271"}]
    [ohtani] = rows(sqlite_url, "mlb.players", player_id=660271)
    assert ohtani["full_name"] == "Shohei Ohtani"
    # The recorded feeds describe all their players: no /people call for them.
    fieldhouse.sync("mlb", settings_for(sqlite_url, server), games=[717209, 744914, 745455])
    assert server.hits("/api/v1/people") == 1
