"""``fieldhouse watch nba`` on the one real scoreboardv2 capture (2026-02-22: eleven games,
none started): the games land as scheduled, an unchanged scoreboard is polled less and less
often; a day whose scoreboard shows every game final asks the game logs, and the games
stay watched until the logs hold them."""

from __future__ import annotations

import copy
import json
import threading

import fieldhouse
from fieldhouse.runs.watch import FakeWatchClock, watch
from fieldhouse.sources.nba import schema
from fieldhouse.testing import FakeStatsServer

from ..conftest import FIXTURES

SCOREBOARD = FIXTURES / "nba" / "scoreboardv2" / "scoreboardv2_2026-02-22.json"
GAME_LOG = FIXTURES / "nba" / "leaguegamelog" / "leaguegamelog_T_2025-26_regular_season_thru_2026-02-21.json"


def _settings(url: str, server: FakeStatsServer) -> fieldhouse.Settings:
    return fieldhouse.Settings(database_url=url, http_max_attempts=1, watch_floor=5.0, watch_jitter=0.0,
                               watch_idle_after=1, run_lock_wait=0.0,
                               nba={"base_url": server.url("/stats"), "min_interval": 0.0, "jitter": 0.0})


def _stop_after(n: int, events: list) -> tuple[threading.Event, object]:
    stop = threading.Event()

    def on_event(event):
        events.append(event)
        if len(events) >= n:
            stop.set()
    return stop, on_event


def test_a_day_not_started_lands_scheduled_and_backs_off(db_url):
    events: list = []
    stop, on_event = _stop_after(4, events)
    with FakeStatsServer() as server:
        server.add_file("/stats/scoreboardv2", SCOREBOARD, match={"GameDate": "2026-02-22"})
        report = watch("nba", _settings(db_url, server), date="2026-02-22", clock=FakeWatchClock(),
                       on_event=on_event, stop=stop)
        assert server.hits("/stats/scoreboardv2") == 4
    assert report.status == "success", report.error
    assert [e.polled.state for e in events] == ["scheduled"] * 4
    assert [e.polled.changed for e in events] == [True, False, False, False]
    assert [round(b.at - a.at) for a, b in zip(events, events[1:], strict=False)] == [10, 20, 40]
    with fieldhouse.connect(db_url) as store:
        games = store.rows(schema.tables()["nba.games"], columns=["game_id", "status"])
    assert len(games) == 11 and {g["status"] for g in games} == {"scheduled"}


def test_all_final_on_the_scoreboard_asks_the_game_logs_until_they_hold_the_games(sqlite_url):
    """The scoreboard's finals here are the real capture with its status set to 3 (no final
    scoreboardv2 is recorded); the real game log ends the day before, so it lacks them."""
    final = json.loads(SCOREBOARD.read_text())
    final = copy.deepcopy(final)
    header = next(r for r in final["resultSets"] if r["name"] == "GameHeader")
    at = header["headers"].index("GAME_STATUS_ID")
    for row in header["rowSet"]:
        row[at] = 3
    events: list = []
    stop, on_event = _stop_after(3, events)
    with FakeStatsServer() as server:
        server.add("/stats/scoreboardv2", final, match={"GameDate": "2026-02-22"})
        server.add_file("/stats/leaguegamelog", GAME_LOG)
        report = watch("nba", _settings(sqlite_url, server), date="2026-02-22", clock=FakeWatchClock(),
                       on_event=on_event, stop=stop)
        logs = [r.query for r in server.requests if r.path == "/stats/leaguegamelog"]
    assert report.status == "success", report.error
    assert [e.polled.how for e in events] == ["scoreboard", "game logs", "game logs"]
    assert not any(e.polled.done for e in events)  # the logs do not hold 2026-02-22 yet
    assert {(q["PlayerOrTeam"], q["DateFrom"], q["Season"]) for q in logs} == {
        ("T", "02/22/2026", "2025-26"), ("P", "02/22/2026", "2025-26")}
