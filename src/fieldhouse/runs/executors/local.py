"""``--executor local``: units run one after the other in the driver's process (the
default; a run's behaviour is exactly what it always was)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any


class LocalExecutor:
    name = "local"
    workers = 1
    distributed = False

    def map(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[Any]:
        for job in jobs:
            yield fn(job)

    def close(self) -> None:
        pass

    def __enter__(self) -> LocalExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
