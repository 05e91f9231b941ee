"""The watch loop's time, injectable: a real clock whose pause a signal cuts short, and a
fake one for tests (no real waiting; callbacks at given times replay captures in order)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ...sources.http.clock import FakeClock, SystemClock


class RealClock(SystemClock):
    """The real clock; :meth:`pause` returns early when ``stop`` is set."""

    def pause(self, seconds: float, stop: threading.Event) -> None:
        if seconds > 0:
            stop.wait(seconds)


class FakeWatchClock(FakeClock):
    """A fake clock: :meth:`pause` advances the time at once; ``at(t, fn)`` calls ``fn``
    when the time first reaches ``t`` seconds (e.g. the fake server's next capture)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._due: list[tuple[float, Callable[[], None]]] = []

    def at(self, when: float, fn: Callable[[], None]) -> None:
        self._due.append((when, fn))
        self._due.sort(key=lambda item: item[0])
        self._fire()

    def pause(self, seconds: float, stop: threading.Event) -> None:
        self.sleep(seconds)
        self._fire()

    def sleep(self, seconds: float) -> None:
        super().sleep(seconds)
        self._fire()

    def _fire(self) -> None:
        while self._due and self._due[0][0] <= self.monotonic():
            _, fn = self._due.pop(0)
            fn()


__all__ = ["FakeWatchClock", "RealClock"]
