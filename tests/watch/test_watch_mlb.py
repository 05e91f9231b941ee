"""``fieldhouse watch mlb`` against the fake server replaying real captures, on a fake clock
(issue 15): the tables after the watch equal the tables of the final capture alone, and the
HTTP calls and their spacing follow the interval rules."""

from __future__ import annotations

import json

import pytest

import fieldhouse
from fieldhouse.runs.watch import FakeWatchClock, watch
from fieldhouse.sources.raw import RAW_TABLE
from fieldhouse.testing import FakeStatsServer

from ..mlb.helpers import FINAL_FEEDS, feed
from .helpers import (
    DIFF_PATH,
    FEED_PATH,
    final_746139,
    load_alone,
    serve_717209,
    serve_746139,
    settings_for,
    tables,
)


def _stop_after(n: int, events: list):
    import threading

    stop = threading.Event()

    def on_event(event):
        events.append(event)
        if len(events) >= n:
            stop.set()
    return stop, on_event


def test_746139_live_to_live_with_its_real_patches_and_a_late_older_capture(db_url, tmp_path):
    events: list = []
    stop, on_event = _stop_after(8, events)
    with FakeStatsServer() as server:
        serve_746139(server)
        settings = settings_for(db_url, server, watch_full_every=6, watch_idle_after=2)
        report = watch("mlb", settings, games="746139", date="2024-06-11", clock=FakeWatchClock(),
                       on_event=on_event, stop=stop)
        seen = [(r.path, r.query.get("startTimecode")) for r in server.requests]
    assert report.status == "success", report.error
    hows = [e.polled.how for e in events]
    assert hows == ["full", "patch", "whole game", "patch", "unchanged", "full", "unchanged", "unchanged"]
    assert [e.polled.version for e in events] == ["20240612_041248", "20240612_041302", "20240612_042717",
                                                  *["20240612_042758"] * 5]
    feed_path, diff_path = FEED_PATH.format(pk=746139), DIFF_PATH.format(pk=746139)
    assert seen == [(feed_path, None), (diff_path, "20240612_041248"), (diff_path, "20240612_041302"),
                    (diff_path, "20240612_042717"), (diff_path, "20240612_042758"), (feed_path, None),
                    (diff_path, "20240612_042758"), (diff_path, "20240612_042758")]
    assert report.http_calls == 8
    # metaData.wait (10 s) while the game changes; doubled for each quiet poll past idle_after
    gaps = [round(b.at - a.at, 6) for a, b in zip(events, events[1:], strict=False)]
    assert gaps == [10, 10, 10, 10, 10, 20, 40]
    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    load_alone(alone, final_746139())
    assert tables(db_url) == tables(alone)


def test_717209_live_to_final_stops_after_one_last_full_capture(db_url, tmp_path):
    events: list = []
    clock = FakeWatchClock()
    with FakeStatsServer() as server:
        serve_717209(server)
        report = watch("mlb", settings_for(db_url, server), games=[717209], date="2023-07-29", clock=clock,
                       on_event=events.append)
        paths = [(r.path, r.query.get("startTimecode")) for r in server.requests]
    assert report.status == "success", report.error
    # the server answers the patch request with the whole Final game: that is the last full
    # capture, and the game is polled no more
    assert [(e.polled.how, e.polled.state) for e in events] == [("full", "in_progress"), ("whole game", "final")]
    assert events[-1].polled.done and events[-1].next_in is None
    assert paths == [(FEED_PATH.format(pk=717209), None), (DIFF_PATH.format(pk=717209), "20230730_010847")]
    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    load_alone(alone, feed(FINAL_FEEDS[717209]))
    assert tables(db_url) == tables(alone)
    # a game already final is not watched again: nothing to poll, no call
    with FakeStatsServer() as server:
        again = watch("mlb", settings_for(db_url, server), games=[717209], date="2023-07-29", clock=FakeWatchClock())
        assert again.status == "success" and server.hits() == 0


def test_a_malformed_patch_falls_back_to_a_full_feed_and_is_never_stored(sqlite_url, tmp_path):
    events: list = []
    stop, on_event = _stop_after(3, events)
    bad = [{"diff": [{"op": "replace", "path": "/liveData/plays/allPlays/61/nothere/deeper", "value": 1},
                     {"op": "replace", "path": "/metaData/timeStamp", "value": "20240612_041302"}]}]
    with FakeStatsServer() as server:
        serve_746139(server)
        server.replace(DIFF_PATH.format(pk=746139), bad, {"startTimecode": "20240612_041248"})
        report = watch("mlb", settings_for(sqlite_url, server, watch_keep_diffs=False), games="746139",
                       date="2024-06-11", clock=FakeWatchClock(), on_event=on_event, stop=stop)
        paths = [r.path for r in server.requests]
    assert report.status == "success"
    assert events[1].polled.how.startswith("fallback: ")
    assert paths[:3] == [FEED_PATH.format(pk=746139), DIFF_PATH.format(pk=746139), FEED_PATH.format(pk=746139)]
    with fieldhouse.connect(sqlite_url) as store:
        stamps = {json.loads(fieldhouse.sources.raw.RawResponse.from_row(r).body)["metaData"]["timeStamp"]
                  for r in store.rows(RAW_TABLE, where={"endpoint": "feed/live"})}
        assert stamps == {"20240612_041248"}  # nothing of the bad patch became data
        assert store.count(RAW_TABLE, where={"endpoint": "feed/live/diffPatch"}) == 0
    alone = f"sqlite:///{tmp_path / 'alone.db'}"
    load_alone(alone, feed("liveGameV1_746139_2024-06-11_Live_20240612_041248"))
    assert tables(sqlite_url) == tables(alone)


def test_retention_keeps_the_newest_captures_and_diffs_only_when_asked(sqlite_url):
    events: list = []
    stop, on_event = _stop_after(5, events)
    with FakeStatsServer() as server:
        serve_746139(server)
        watch("mlb", settings_for(sqlite_url, server, watch_keep_captures=2, watch_keep_diffs=True),
              games="746139", date="2024-06-11", clock=FakeWatchClock(), on_event=on_event, stop=stop)
    with fieldhouse.connect(sqlite_url) as store:
        kept = [fieldhouse.sources.raw.RawResponse.from_row(r).data["metaData"]["timeStamp"]
                for r in store.rows(RAW_TABLE, where={"endpoint": "feed/live"}, order_by="captured_at")]
        assert kept == ["20240612_042717", "20240612_042758"]
        assert store.count(RAW_TABLE, where={"endpoint": "feed/live/diffPatch"}) == 3  # 2 patches and the empty one


class _Plain(fieldhouse.BaseSource):
    name = "plain"


def test_a_source_without_watch_cannot_be_watched(sqlite_url, monkeypatch):
    import fieldhouse.runs.watch as watching

    monkeypatch.setattr(watching.registry, "get", lambda name: _Plain())
    with pytest.raises(fieldhouse.ConfigError, match="source 'plain' cannot be watched"):
        watch("plain", fieldhouse.Settings(database_url=sqlite_url))
    with pytest.raises(fieldhouse.ConfigError, match="cannot be watched"):
        _Plain().watch_plan(None, None)


def test_a_cancelled_game_is_captured_once_and_a_preview_is_polled_less_and_less(sqlite_url):
    from ..mlb.helpers import CANCELLED, PREVIEW

    events: list = []
    stop, on_event = _stop_after(5, events)
    with FakeStatsServer() as server:
        server.replace(FEED_PATH.format(pk=778826), feed(CANCELLED))
        server.replace(FEED_PATH.format(pk=746799), feed(PREVIEW))
        server.replace(DIFF_PATH.format(pk=746799), [], {"startTimecode": "20240514_013518"})
        report = watch("mlb", settings_for(sqlite_url, server, watch_idle_after=1), games="778826,746799",
                       date="2024-05-14", clock=FakeWatchClock(), on_event=on_event, stop=stop)
        cancelled_calls = server.hits(FEED_PATH.format(pk=778826))
    assert report.status == "success", report.error
    assert cancelled_calls == 1
    by_game = {pk: [(e.at, e.polled.state, e.polled.how) for e in events if e.key == f"mlb/game/{pk}"]
               for pk in (778826, 746799)}
    assert by_game[778826] == [(0.0, "cancelled", "full")]
    assert by_game[746799] == [(0.0, "scheduled", "full"), (10.0, "scheduled", "unchanged"),
                               (30.0, "scheduled", "unchanged"), (70.0, "scheduled", "unchanged")]
