"""Without --games the watch reads the day's schedule (the real 2024-07-01 one: three games)
and reads it again every few minutes; a game whose feed fails is polled again later, less
and less often, with a dead letter the nightly sync can retry."""

from __future__ import annotations

import threading

import fieldhouse
from fieldhouse.runs import deadletters
from fieldhouse.runs.watch import FakeWatchClock, watch
from fieldhouse.sources.mlb import schema
from fieldhouse.sources.mlb.fakeroutes import serve_recorded
from fieldhouse.testing import FakeStatsServer

from ..mlb.helpers import FINAL_FEEDS, FIXTURES
from ..mlb.test_sync import feed_file
from .helpers import FEED_PATH, settings_for

SCHEDULE = FIXTURES / "schedule" / "schedule_date-2024-07-01_sportId-1.json"


def test_the_schedule_gives_the_games_and_is_read_again(sqlite_url):
    events: list = []
    stop = threading.Event()
    clock = FakeWatchClock()

    def on_event(event):
        events.append(event)
        if clock.monotonic() >= 200:
            stop.set()

    with FakeStatsServer() as server:
        serve_recorded(server, SCHEDULE)
        serve_recorded(server, feed_file(FINAL_FEEDS[744914]))  # the other two games have no feed: 404
        report = watch("mlb", settings_for(sqlite_url, server, watch_schedule_every=60), date="2024-07-01",
                       clock=clock, on_event=on_event, stop=stop)
        schedule_calls = server.hits("/api/v1/schedule")
        polls = {pk: [e.at for e in events if e.key == f"mlb/game/{pk}"] for pk in (744914, 744840, 746535)}
        feed_calls = server.hits(FEED_PATH.format(pk=744840))
    assert report.status == "partial"  # two games still fail (404) at the end
    assert report.polls == len(events) == 10 and report.failed_polls == 9
    assert [u.key for u in report.units] == ["mlb/game/744914", "mlb/game/744840", "mlb/game/746535"]
    assert schedule_calls == 6  # at 0, 60, 120, 180, 240 and 300 s (the poll at 300 s stops the watch)
    assert polls[744914] == [0.0]  # Final at once: one full capture, then done
    # a failing game: 10 s (the default wait) doubled after each failure in a row
    assert polls[744840] == [0.0, 20.0, 60.0, 140.0, 300.0]
    assert feed_calls == 5
    with fieldhouse.connect(sqlite_url) as store:
        assert store.count(schema.tables()["mlb.schedule"]) == 3
        assert store.rows(schema.tables()["mlb.games"], columns=["game_pk", "status"]) == [
            {"game_pk": 744914, "status": "final"}]
        assert {d["unit_key"] for d in deadletters.list_letters(store, source="mlb")} == {
            "mlb/game/744840", "mlb/game/746535"}
