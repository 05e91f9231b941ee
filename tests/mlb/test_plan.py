"""Planning a season (its dates, the watermark minus the safety window), the watermark
itself, the client's politeness and validation, and offline replay through the handlers."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import fieldhouse
from fieldhouse.errors import BadResponseError
from fieldhouse.runs import ledger
from fieldhouse.settings import Settings
from fieldhouse.sources.http.fetcher import FetchPolicy
from fieldhouse.sources.http.response import Response, canonical_params
from fieldhouse.sources.mlb import schema
from fieldhouse.sources.mlb.client import MLBClient
from fieldhouse.sources.mlb.fakeroutes import serve_recorded
from fieldhouse.sources.mlb.plan import plan_dates, season_watermark
from fieldhouse.sources.mlb.settings import MLBSettings
from fieldhouse.sources.mlb.units import write_response
from fieldhouse.sources.raw import land, raw_responses
from fieldhouse.sources.replay import replay
from fieldhouse.sources.watermarks import get_watermark, set_watermark
from fieldhouse.stores.roles import Stores
from fieldhouse.testing import FakeStatsServer
from fieldhouse.testing.fakeserver import load_fixture_body

from .helpers import FIXTURES
from .test_from_files import TEAMS_2024
from .test_sync import JULY_1, SCHEDULE_JULY_1, SEASONS_2024, settings_for
from .test_sync import server as server  # noqa: F401  (the fixture)

OCTOBER = FIXTURES / "schedule" / "schedule_endDate-2024-10-22_sportId-1_startDate-2024-10-20.pymlb_envelope.json.gz"
PERSON = FIXTURES / "person" / "person_personIds-545361.pymlb_envelope.json.gz"


def _asked(srv: FakeStatsServer) -> str:
    """The dates of the last schedule call."""
    [*_, last] = [r.query for r in srv.requests if r.path == "/api/v1/schedule"]
    return f"{last['startDate']}..{last['endDate']}"


def test_a_season_without_recorded_dates_uses_the_default_window(sqlite_url: str, server: FakeStatsServer) -> None:
    serve_recorded(server, TEAMS_2024)
    report = fieldhouse.sync("mlb", settings_for(sqlite_url, server), season="2024")
    assert "mlb/schedule/2024" in {u.key for u in report.units}
    [asked] = [r.query for r in server.requests if r.path == "/api/v1/schedule"]
    assert (asked["startDate"], asked["endDate"], asked["sportId"]) == ("2024-02-15", "2024-11-30", "1")
    assert {u.key: u.status for u in report.units}["mlb/teams/2024"] == "success"
    with fieldhouse.connect(sqlite_url) as store:
        assert len(store.rows(schema.tables()["mlb.teams"])) == 30
        assert get_watermark(store, "mlb", "2024") is None  # the schedule failed: nothing moved


def test_a_season_uses_the_recorded_seasons_response_and_the_watermark(sqlite_url: str, server: FakeStatsServer,
                                                                       tmp_path: Path) -> None:
    settings = settings_for(sqlite_url, server)
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "seasons.json").write_bytes(load_fixture_body(SEASONS_2024))
    fieldhouse.sync("mlb", settings, from_files=folder)
    first = fieldhouse.sync("mlb", settings, season="2024")
    assert _asked(server) == "2024-02-22..2024-10-30"
    assert {u.key: u.status for u in first.units}["mlb/schedule/2024"] == "failed"  # not recorded: 404
    with fieldhouse.connect(sqlite_url) as store:
        set_watermark(store, "mlb", "2024", date(2024, 7, 1))
    # The open dead letter of the season's schedule is retried over the new range, once.
    again = fieldhouse.sync("mlb", settings, season="2024")
    assert [u.key for u in again.units].count("mlb/schedule/2024") == 1
    assert _asked(server) == "2024-06-28..2024-10-30"
    fieldhouse.sync("mlb", settings, season="2024", safety_days=0)
    assert _asked(server) == "2024-07-01..2024-10-30"
    fieldhouse.sync("mlb", settings, season="2024", full=True)
    assert _asked(server) == "2024-02-22..2024-10-30"


def _ingest_schedule(store, path: Path, data=None, params=None) -> None:
    """Land a schedule body (the recorded one, or a changed copy) as if fetched now."""
    data = json.loads(load_fixture_body(path)) if data is None else data
    write_response(Stores.of(store), Response("mlb", "schedule", canonical_params(params or {}), json.dumps(data).encode(),
                                   data, datetime.now(UTC)))


def test_the_watermark_is_the_last_date_whose_games_are_all_terminal(sqlite_url: str) -> None:
    with fieldhouse.connect(sqlite_url) as store:
        _ingest_schedule(store, SCHEDULE_JULY_1, params={"date": "2024-07-01"})
        assert season_watermark(store, "2024") == date(2024, 7, 1)
        october = json.loads(load_fixture_body(OCTOBER))
        _ingest_schedule(store, OCTOBER, october, params={"startDate": "2024-10-20", "endDate": "2024-10-22"})
        assert season_watermark(store, "2024") == date(2024, 10, 20)
        # A later capture shows the October game in progress: the watermark falls back.
        live = copy.deepcopy(october)
        live["dates"][0]["games"][0]["status"].update(
            abstractGameState="Live", codedGameState="I", detailedState="In Progress", statusCode="I")
        _ingest_schedule(store, OCTOBER, live, params={"startDate": "2024-10-20", "endDate": "2024-10-22"})
        assert season_watermark(store, "2024") == date(2024, 7, 1)
        # Postponed counts as terminal (the game is played, and fetched, under its new date).
        _ingest_schedule(store, FIXTURES / "schedule" / "schedule_date-2022-04-07_sportId-1.json")
        assert season_watermark(store, "2022") == date(2022, 4, 7)


def test_the_season_schedule_unit_returns_the_watermark_with_the_rows(sqlite_url: str, server: FakeStatsServer) -> None:
    """The run records what the unit returns in the unit's transaction (docs/runs.md)."""
    client = MLBClient.from_settings(settings_for(sqlite_url, server))
    with fieldhouse.connect(sqlite_url) as store:
        [unit, *games] = plan_dates(client, Stores.of(store), *JULY_1, season="2024")
        assert [g.key for g in games] == ["mlb/game/744914", "mlb/game/744840", "mlb/game/746535"]
        with store.transaction():
            written = unit.write(store, unit.fetch())
        assert written.watermarks == {"2024": date(2024, 7, 1)}
        assert written.tables["mlb.schedule"].inserted == 3
    assert client.http_calls == 1  # planning fetched the schedule once; fetch() reused it


def test_the_default_politeness_is_about_two_requests_a_second() -> None:
    policy = FetchPolicy.from_settings(Settings(), MLBSettings())
    assert 0.4 <= policy.min_interval <= 0.6 and policy.jitter > 0
    assert policy.max_attempts > 1 and policy.backoff_initial > 0


def test_the_client_asks_for_gzip_and_checks_people_against_the_ids_asked(sqlite_url: str, server: FakeStatsServer) -> None:
    serve_recorded(server, PERSON)
    client = MLBClient.from_settings(settings_for(sqlite_url, server))
    response = client.people([545361])
    assert (response.endpoint, response.params) == ("people", {"personIds": "545361"})
    assert "gzip" in server.requests[-1].headers.get("Accept-Encoding", "")
    # The same (real) body as the answer for someone else: not the person asked for.
    server.add("/api/v1/people", load_fixture_body(PERSON), match={"personIds": "592450"})
    with pytest.raises(BadResponseError, match="not asked for"):
        client.people([592450])


def test_replay_rebuilds_the_tables_from_the_raw_zone(sqlite_url: str, server: FakeStatsServer, tmp_path: Path) -> None:
    fieldhouse.sync("mlb", settings_for(sqlite_url, server), dates=JULY_1)
    fieldhouse.sync("mlb", settings_for(sqlite_url, server), games=[746139])
    other = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    with fieldhouse.connect(sqlite_url) as source, fieldhouse.connect(other) as target:
        for raw in raw_responses(source, source="mlb"):
            land(target, raw)
        report = replay(target, source="mlb")
        assert report.ok and report.responses == 3  # the schedule and two feeds
        for name, table in schema.tables().items():
            if source.table_exists(table):
                assert target.rows(table) == source.rows(table), name


def test_a_backfill_is_one_recorded_run_of_every_season_oldest_first(sqlite_url: str, server: FakeStatsServer) -> None:
    serve_recorded(server, TEAMS_2024)
    report = fieldhouse.backfill("mlb", settings_for(sqlite_url, server), seasons="2023..2024")
    assert report.command == "backfill"
    # 2023 is not recorded: its units fail on their own; 2024's teams land.
    assert [(u.key, u.status) for u in report.units] == [
        ("mlb/teams/2023", "failed"), ("mlb/schedule/2023", "failed"),
        ("mlb/teams/2024", "success"), ("mlb/schedule/2024", "failed")]
    with fieldhouse.connect(sqlite_url) as store:
        [run] = ledger.list_runs(store, source="mlb")
    assert run["arguments"]["seasons"] == ["2023", "2024"]


def test_games_not_started_on_a_later_date_are_not_fetched(sqlite_url: str, server: FakeStatsServer) -> None:
    schedule = json.loads(load_fixture_body(SCHEDULE_JULY_1))
    game = schedule["dates"][0]["games"][2]
    game["status"].update(abstractGameState="Preview", codedGameState="S", detailedState="Scheduled", statusCode="S")
    server.routes = [r for r in server.routes if r.path != "/api/v1/schedule"]  # serve the changed copy
    server.add("/api/v1/schedule", schedule, match={"startDate": "2024-07-01", "endDate": "2024-07-01"})
    client = MLBClient.from_settings(settings_for(sqlite_url, server))
    with fieldhouse.connect(sqlite_url) as store:
        before = plan_dates(client, Stores.of(store), *JULY_1, as_of=date(2024, 6, 30))
        on_the_day = plan_dates(client, Stores.of(store), *JULY_1, as_of=date(2024, 7, 1))
    assert [u.key for u in before[1:]] == ["mlb/game/744914", "mlb/game/744840"]
    assert [u.key for u in on_the_day[1:]] == ["mlb/game/744914", "mlb/game/744840", f"mlb/game/{game['gamePk']}"]
