"""When a watched game is polled next (docs/live.md, "Intervals"): the server's
``metaData.wait`` by default (or a fixed ``watch_interval``), doubled for each poll past
``idle_after`` that found nothing new (and for each failed poll), capped at
``max_interval``, ± ``jitter`` of itself, and never below ``floor``."""

from __future__ import annotations

import random
from dataclasses import dataclass

from ...settings import Settings
from ...sources.watching import Polled


@dataclass(frozen=True)
class Rules:
    floor: float = 5.0
    fixed: float | None = None
    default_wait: float = 10.0
    jitter: float = 0.1
    idle_after: int = 3
    max_interval: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Rules:
        return cls(settings.watch_floor, settings.watch_interval, settings.watch_default_wait,
                   settings.watch_jitter, settings.watch_idle_after, settings.watch_max_interval)

    def base(self, polled: Polled | None) -> float:
        if self.fixed is not None:
            return self.fixed
        return polled.wait if polled is not None and polled.wait and polled.wait > 0 else self.default_wait

    def next_interval(self, polled: Polled | None, quiet: int, failures: int = 0,
                      rng: random.Random | None = None) -> float:
        """Seconds until the next poll after ``quiet`` polls in a row that changed nothing
        and ``failures`` failed polls in a row."""
        interval = self.base(polled)
        steps = max(0, quiet - self.idle_after + 1) + failures
        if steps:
            interval = min(interval * 2 ** min(steps, 30), max(self.max_interval, interval))
        if self.jitter:
            interval *= 1 + (rng or random).uniform(-self.jitter, self.jitter)
        return max(self.floor, interval)


__all__ = ["Rules"]
