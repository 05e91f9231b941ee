"""A real watch of a live MLB game (recorded feeds and patches through the fake server)
records its fill counts on the run row and its stale captures in the conflict log."""

from __future__ import annotations

from fieldhouse import connect, query
from fieldhouse.runs import ledger
from fieldhouse.runs.watch import FakeWatchClock, watch
from fieldhouse.testing import FakeStatsServer

from ..watch.helpers import serve_746139, settings_for
from ..watch.test_watch_mlb import _stop_after


def test_a_watch_run_records_filled_and_conflicts(sqlite_url):
    events: list = []
    stop, on_event = _stop_after(8, events)
    with FakeStatsServer() as server:
        serve_746139(server)
        settings = settings_for(sqlite_url, server, watch_full_every=6, watch_idle_after=2)
        report = watch("mlb", settings, games="746139", date="2024-06-11", clock=FakeWatchClock(),
                       on_event=on_event, stop=stop)
    assert report.status == "success", report.error
    with connect(sqlite_url) as store:
        row = ledger.get_run(store, report.run_id)
        counts = query.conflict_counts(store, report.run_id)
    assert row["command"] == "watch" and row["filled"]["mlb.games"]["rows"] >= 1
    assert row["filled"]["mlb.games"]["columns"]["game_pk"] == row["filled"]["mlb.games"]["rows"]
    stale = sum(int(c.get("stale", 0)) for c in (row["counts"] or {}).values())
    assert stale > 0 and sum(c["stale"] for c in counts.values()) == stale  # the late older capture
    assert all(c["omitted"] == 0 for c in counts.values())
