"""Progress of a run, unit by unit: a rich progress bar when stderr is a terminal, plain log
lines otherwise (cron, pipes, CI)."""

from __future__ import annotations

import logging
import sys
from typing import Any

log = logging.getLogger("fieldhouse.runs")


class UnitProgress:
    """``start(total)``, then ``unit_started(key)`` / ``unit_done(key, status, detail)`` per
    unit, then ``close()``.  ``bar=None`` picks the bar when stderr is a terminal."""

    def __init__(self, description: str = "units", *, bar: bool | None = None) -> None:
        self.description = description
        self.bar = sys.stderr.isatty() if bar is None else bar
        self.total = 0
        self.done = 0
        self._progress: Any = None
        self._task: Any = None

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        if self.bar and total:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                      TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self._progress.start()
            self._task = self._progress.add_task(self.description, total=total)

    def unit_started(self, key: str) -> None:
        if self._progress is not None:
            self._progress.update(self._task, description=f"{self.description}: {key}")
        else:
            log.info("unit %d/%d %s: started", self.done + 1, self.total, key)

    def unit_done(self, key: str, status: str, detail: str = "") -> None:
        self.done += 1
        if self._progress is not None:
            self._progress.update(self._task, advance=1)
        log.info("unit %d/%d %s: %s%s", self.done, self.total, key, status, f" ({detail})" if detail else "")

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
