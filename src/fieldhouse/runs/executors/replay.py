"""``fieldhouse replay --executor dask|spark``: rebuild tables from the raw zone on workers.

The driver lists the keys of the stored responses (oldest capture first, no bodies), cuts
them into chunks, and each worker reads its chunk's bodies from the control store and
applies the source handlers, one transaction per response, into the data store (its own
connections).  Order across workers does not matter: every row carries its response's
``captured_at`` as version, so the newest capture wins whichever worker writes last (the
rule that makes replay idempotent).  The sources' static units then run on the driver.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ...errors import ConfigError
from ...sources import registry as sources
from ...sources.raw import RAW_TABLE, raw_by_key, raw_keys
from ...sources.replay import Registry, ReplayReport, registry, replay_one, replay_static
from ...sources.replay import replay as replay_here
from ...stores import Store, connect
from . import open_executor

#: Chunks per worker: small enough to balance, large enough to amortise a job.
CHUNKS_PER_WORKER = 2
MAX_CHUNK = 200


@dataclass(frozen=True)
class ReplayJob:
    data_url: Any = field(repr=False)
    control_url: Any = field(repr=False)
    keys: tuple[tuple[str, str, str, str], ...] = ()


def replay_chunk(job: ReplayJob) -> ReplayReport:
    """On a worker: apply the responses of ``job.keys``."""
    report = ReplayReport()
    handler_for = registry.resolver()
    with connect(job.data_url) as data:
        control = data if job.control_url is None else connect(job.control_url)
        try:
            for source, endpoint, params, content_hash in job.keys:
                raw = raw_by_key(control, {"source": source, "endpoint": endpoint, "params": params,
                                           "content_hash": content_hash})
                if raw is not None:
                    replay_one(data, raw, handler_for, report)
        finally:
            if control is not data:
                control.close()
    return report


def _merge(into: ReplayReport, part: ReplayReport) -> None:
    into.responses += part.responses
    into.tables.add(part.tables)
    for key, n in part.unhandled.items():
        into.unhandled[key] = into.unhandled.get(key, 0) + n
    into.failures.extend(part.failures)


def replay(store: Store, *, source: str | None = None, since: date | datetime | None = None,
           reg: Registry | None = None, control: Store | None = None, executor: Any = None) -> ReplayReport:
    """:func:`fieldhouse.sources.replay.replay`, with ``executor`` (``--executor``: local,
    dask, dask://host:port, spark, spark://...) to apply the responses on workers."""
    if executor is None or executor == "local" or getattr(executor, "distributed", True) is False:
        return replay_here(store, source=source, since=since, reg=reg, control=control)
    if reg is not None:
        raise ConfigError("a distributed replay uses the installed sources' handlers: reg= cannot cross to workers")
    control = store if control is None else control
    keys = [(k["source"], k["endpoint"], k["params"], k["content_hash"])
            for k in raw_keys(control, source=source, since=since)]
    seen = sorted({k[0] for k in keys})
    for name in seen:  # created here, so that workers never race to create them
        if name in sources.names():
            for table in sources.get(name).tables().values():
                store.ensure_table(table)
    control.ensure_table(RAW_TABLE)
    report = ReplayReport()
    with ExitStack() as opened:
        running = opened.enter_context(open_executor(executor)) if isinstance(executor, str) else executor
        size = max(1, min(MAX_CHUNK, -(-len(keys) // (running.workers * CHUNKS_PER_WORKER))))
        control_url = None if control is store else control.url
        jobs = [ReplayJob(store.url, control_url, tuple(keys[i:i + size])) for i in range(0, len(keys), size)]
        for part in running.map(replay_chunk, jobs):
            _merge(report, part)
    for name in seen:
        replay_static(store, name, report)
    return report
