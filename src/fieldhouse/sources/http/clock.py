"""Time, injectable: the fetcher never calls ``time.sleep`` or reads the clock directly,
so tests run the retry schedule and the rate limit without really waiting."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for intervals and durations)."""

    def sleep(self, seconds: float) -> None: ...

    def utcnow(self) -> datetime:
        """The wall-clock time, aware UTC (for ``captured_at``)."""


class SystemClock:
    """The real clock."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def utcnow(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock for tests: ``sleep`` returns at once, advances the time and is recorded in
    :attr:`sleeps`.  ``utcnow`` advances with it from ``start``."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = 0.0
        self._start = start or datetime(2024, 1, 1, tzinfo=UTC)
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self._now += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds

    def utcnow(self) -> datetime:
        with self._lock:
            return self._start + timedelta(seconds=self._now)
