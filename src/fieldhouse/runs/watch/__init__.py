"""``fieldhouse watch SOURCE``: poll a day's games while they are played (docs/live.md)::

    import fieldhouse
    report = fieldhouse.watch("example", settings, date="2024-07-01")   # fieldhouse watch example --date 2024-07-01

The loop (:mod:`.loop`) times the polls (:mod:`.intervals`, on a :mod:`.clock`), holds the
scope's lock and records the run; the source says what to poll (its ``watch_plan``, see
:mod:`fieldhouse.sources.watching`).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from typing import Any

from ...errors import ConfigError
from ...settings import Settings, get_settings
from ...sources import registry
from ...sources.protocol import options_for
from ..commands import StoreOrURL, open_stores
from ..report import RunReport
from .clock import FakeWatchClock, RealClock
from .intervals import Rules
from .loop import WatchEvent, lock_name, run_watch


def watch(source: str, settings: Settings | None = None, *, data: StoreOrURL = None, control: StoreOrURL = None,
          clock: Any = None, rng: random.Random | None = None, on_event: Callable[[WatchEvent], None] | None = None,
          stop: threading.Event | None = None, **options: Any) -> RunReport:
    """``fieldhouse watch SOURCE [options]``: the options are the source's ``watch`` ones
    (e.g. ``date``, ``games``); a source without them cannot be watched (ConfigError)."""
    found = registry.get(source)
    if "watch" not in found.options or not callable(getattr(found, "watch_plan", None)):
        raise ConfigError(f"source {found.name!r} cannot be watched: it has no live data to poll")
    settings = settings or get_settings()
    chosen = options_for(found, "watch", options)
    context = found.open(settings, chosen)
    try:
        with open_stores(settings, data, control) as stores:
            plan = found.watch_plan(context, stores)
            return run_watch(stores, source=found.name, plan=plan, arguments=chosen.arguments(),
                             settings=settings, http_calls=lambda: context.http_calls, clock=clock, rng=rng,
                             on_event=on_event, stop=stop)
    finally:
        context.close()


__all__ = ["FakeWatchClock", "RealClock", "Rules", "WatchEvent", "lock_name", "run_watch", "watch"]
