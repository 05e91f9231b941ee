"""``--executor spark`` (a local SparkSession, ``local[2,3]``: 2 task slots, a failed task
tried up to 3 times, the driver bound to 127.0.0.1), ``--executor spark://host:7077`` (a
Spark master) and ``--executor spark:env`` (the session already active, e.g. under
spark-submit).  Needs ``pip install 'fieldhouse[spark]'`` and Java 17.  No Delta connector
is used: Spark workers write through fieldhouse's own stores.

Each job is one single-partition Spark job, submitted from a thread per slot, so reports
come back as units complete; Spark re-runs a task whose executor died.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from ...errors import ConfigError

LOCAL_SLOTS = 2


def _pyspark() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError("--executor spark needs PySpark: pip install 'fieldhouse[spark]' (and Java 17)") from None
    return SparkSession


class SparkExecutor:
    name = "spark"
    distributed = True

    def __init__(self, master: str | None = None, *, workers: int = LOCAL_SLOTS) -> None:
        session = _pyspark()
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
        self._own = master != "env"
        if master == "env":
            active = session.getActiveSession()
            if active is None:
                raise ConfigError("--executor spark:env: no active SparkSession in this process")
            self.session = active
        else:
            builder = (session.builder.appName("fieldhouse")
                       .master(master or f"local[{workers},3]")
                       .config("spark.ui.enabled", "false")
                       .config("spark.task.maxFailures", "3"))
            if master is None:
                builder = (builder.config("spark.driver.bindAddress", "127.0.0.1")
                           .config("spark.driver.host", "127.0.0.1"))
            self.session = builder.getOrCreate()
            self.session.sparkContext.setLogLevel("ERROR")
        self.workers = max(1, int(self.session.sparkContext.defaultParallelism or workers))

    def map(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[Any]:
        context = self.session.sparkContext

        def one(job: Any) -> Any:
            return context.parallelize([job], 1).map(fn).collect()[0]

        with ThreadPoolExecutor(self.workers) as pool:
            for done in as_completed([pool.submit(one, job) for job in jobs]):
                yield done.result()

    def close(self) -> None:
        if self._own:
            self.session.stop()

    def __enter__(self) -> SparkExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
