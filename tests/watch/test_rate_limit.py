"""One watch polls all its games through one client: every request, whichever game it is
for, waits for the per-host rate limit (FIELDHOUSE_MLB__MIN_INTERVAL)."""

from __future__ import annotations

import threading
import time

from fieldhouse.runs.watch import FakeWatchClock, watch
from fieldhouse.testing import FakeStatsServer

from .helpers import serve_717209, serve_746139, settings_for


class _Timed(list):
    """The fake server's request log, with the time each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, item) -> None:
        self.times.append(time.monotonic())
        super().append(item)


def test_all_games_share_the_hosts_rate_limit(sqlite_url):
    stop = threading.Event()
    events: list = []

    def on_event(event):
        events.append(event)
        if len(events) >= 4:
            stop.set()

    with FakeStatsServer() as server:
        server.requests = _Timed()
        serve_746139(server)
        serve_717209(server)
        report = watch("mlb", settings_for(sqlite_url, server, min_interval=0.2), games="746139,717209",
                       date="2024-06-11", clock=FakeWatchClock(), on_event=on_event, stop=stop)
        times = server.requests.times
    assert report.status == "success", report.error
    assert len(times) == 4
    assert {e.key for e in events[:2]} == {"mlb/game/746139", "mlb/game/717209"}  # both due at once
    assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.19
