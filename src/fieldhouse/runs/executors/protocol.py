"""The executor protocol: where the units of a run execute (docs/scale.md).

The driver (the process that runs ``fieldhouse sync/backfill/replay``) plans the units and
records the run; an executor runs *jobs* on workers and hands back their *reports*.  A job
is plain, picklable data (a source name, settings, options, store URLs, a unit key): the
worker opens its own source client and its own store connections, rebuilds the unit from
its key, fetches (or reads the raw zone), maps and upserts, and returns a
:class:`UnitReport`.  Nothing unpicklable (a connection, a client, a lock) ever crosses.

``spec`` strings (the ``--executor`` option): ``local`` (the default: in the driver's
process, today's behaviour), ``dask`` (a local cluster: 2 worker processes on 127.0.0.1),
``dask://host:8786`` (a running scheduler), ``spark`` (a local SparkSession, ``local[2]``),
``spark://host:7077`` (a Spark master; ``spark:env`` uses the active session).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

from ...errors import ConfigError
from ...settings import Settings
from ...sources.protocol import SourceOptions
from ...stores.counts import Counts

KINDS = ("local", "dask", "spark")


@dataclass(frozen=True)
class ExecutorSpec:
    """A parsed ``--executor`` value: ``kind`` and the ``address`` of a running engine
    (None: start a local one)."""

    kind: str
    address: str | None = None

    @classmethod
    def parse(cls, spec: str | ExecutorSpec | None) -> ExecutorSpec:
        if spec is None:
            return cls("local")
        if isinstance(spec, ExecutorSpec):
            return spec
        text = str(spec).strip()
        if text in KINDS:
            return cls(text)
        for kind in ("dask", "spark"):
            if text.startswith(f"{kind}://") and len(text) > len(kind) + 3:
                return cls(kind, text if kind == "spark" else text[len("dask://"):])
        if text == "spark:env":
            return cls("spark", "env")
        raise ConfigError(f"--executor {text!r} is not an executor: use local, dask, dask://HOST:PORT, "
                          "spark, spark://HOST:PORT or spark:env")

    def __str__(self) -> str:
        if self.address is None:
            return self.kind
        return self.address if self.kind == "spark" else f"{self.kind}://{self.address}"


@dataclass(frozen=True)
class UnitJob:
    """One unit of a run, as a worker needs it: everything is plain data."""

    run_id: str
    source: str
    command: str
    key: str
    settings: Settings = field(repr=False)
    options: SourceOptions = field(repr=False)
    data_url: str = field(repr=False)
    control_url: str | None = field(default=None, repr=False)
    accept_shrink: bool = False
    #: The run's workers: each worker's rate limit is this many times slower (docs/scale.md).
    rate_share: int = 1


@dataclass
class UnitReport:
    """What a worker did with one job (picklable): the driver records it."""

    key: str
    status: str  # success | failed
    worker: str
    tables: Counts = field(default_factory=Counts)
    watermarks: Mapping[str, date | None] = field(default_factory=dict)
    error: str | None = None
    traceback: str | None = None
    duration: float = 0.0
    http_calls: int = 0
    #: What the failure said about the request (endpoint, status, attempts, raw_ref).
    failure: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Executor(Protocol):
    """Runs picklable jobs on workers; a context manager (closing stops what it started)."""

    #: ``local``, ``dask`` or ``spark``.
    name: str
    #: How many units may run at once (the rate limit is divided among them).
    workers: int
    #: False for ``local``: the run executes units in the driver exactly as before.
    distributed: bool

    def map(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[Any]:
        """``fn(job)`` for every job on the workers; results as they complete.  A worker
        that dies has its job run again (by the engine), so every job yields one result."""

    def close(self) -> None: ...

    def __enter__(self) -> Executor: ...

    def __exit__(self, *exc: object) -> None: ...
