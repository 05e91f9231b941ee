"""A per-host rate limit: at least ``min_interval`` ± ``jitter`` seconds between the starts
of two requests (retries included)."""

from __future__ import annotations

import random
import threading

from .clock import Clock


class RateLimiter:
    """Call :meth:`wait` before each request; it sleeps on ``clock`` until the next slot.

    The gap before each request is drawn uniformly from ``[min_interval - jitter,
    min_interval + jitter]`` (never below zero), so a run does not hit the host at a
    machine-regular beat.  Thread-safe: concurrent callers are spaced one after another.
    """

    def __init__(self, min_interval: float, jitter: float, clock: Clock,
                 rng: random.Random | None = None) -> None:
        if min_interval < 0 or jitter < 0:
            raise ValueError("min_interval and jitter must not be negative")
        self.min_interval = min_interval
        self.jitter = jitter
        self.clock = clock
        self.rng = rng or random.Random()
        self._last: float | None = None
        self._lock = threading.Lock()

    def next_gap(self) -> float:
        share = _share
        if self.jitter == 0:
            return self.min_interval * share
        return max(0.0, self.min_interval + self.rng.uniform(-self.jitter, self.jitter)) * share

    def wait(self) -> float:
        """Sleep until this request may start; return how long it slept."""
        with self._lock:
            now = self.clock.monotonic()
            slept = 0.0
            if self._last is not None:
                due = self._last + self.next_gap()
                if due > now:
                    slept = due - now
                    self.clock.sleep(slept)
            self._last = self.clock.monotonic()
            return slept


#: How many workers share each host's rate limit in this process (1: not shared).
_share = 1


def share_among(workers: int) -> None:
    """A worker of a distributed run (see docs/scale.md): its gaps become ``workers`` times
    longer, so that all the run's workers together send no faster than one process would."""
    global _share
    _share = max(1, int(workers))
