"""What a worker does with a :class:`~.protocol.UnitJob`: open (once per run and process)
the source and its own store connections, rebuild the unit from its key, fetch, write the
data in one transaction, and report.  The driver records the unit (docs/scale.md)."""

from __future__ import annotations

import os
import socket
import threading
import time
import traceback
from contextlib import ExitStack
from typing import Any

from ...errors import error_text
from ...sources import registry
from ...sources.http.ratelimit import share_among
from ...sources.shrink import shrink_policy
from ...sources.units import UnitResult
from ...stores import connect
from ...stores.counts import Counts
from ...stores.roles import Stores
from ..deadletters import raw_reference
from ..statuses import FAILED, SUCCESS

_lock = threading.Lock()
_open: dict[str, Any] = {}  # run_id -> _RunState (the newest run only)


def worker_name(engine: str) -> str:
    """``engine:host:pid``: which worker ran a unit, as the ledger records it."""
    return f"{engine}:{socket.gethostname()}:{os.getpid()}"


class _RunState:
    """One run's source context and store connections in this worker process, kept
    between its units so the rate limiter (and the connections) persist."""

    def __init__(self, job: Any) -> None:
        self.exits = ExitStack()
        source = registry.get(job.source)
        self.source = source
        self.context = self.exits.enter_context(source.open(job.settings, job.options))
        data = self.exits.enter_context(connect(job.data_url))
        control = data if job.control_url is None else self.exits.enter_context(connect(job.control_url))
        self.stores = Stores.of(data, control)

    def close(self) -> None:
        self.exits.close()


def _state(job: Any) -> _RunState:
    with _lock:
        state = _open.get(job.run_id)
        if state is None:
            for old in _open.values():
                old.close()
            _open.clear()
            state = _open[job.run_id] = _RunState(job)
        return state


def run_job(job: Any, engine: str = "worker") -> Any:
    """Execute one unit job; never raises for a failure of the unit (it is reported)."""
    from .protocol import UnitReport

    share_among(job.rate_share)
    started = time.monotonic()
    report = UnitReport(job.key, SUCCESS, worker_name(engine))
    state = None
    calls = 0
    try:
        state = _state(job)
        calls = state.context.http_calls
        unit = state.source.unit_for_key(state.context, state.stores, job.key)
        if unit is None:
            raise LookupError(f"source {job.source} cannot rebuild unit {job.key} from its key on a worker")
        with shrink_policy(job.settings.shrink_min_fraction, accept=job.accept_shrink):
            fetched = unit.fetch()
            with state.stores.data.transaction():
                written = UnitResult.of(unit.write(state.stores.data, fetched))
        report.tables = Counts.of(written.tables)
        report.watermarks = dict(written.watermarks)
    except Exception as exc:
        report.status, report.error, report.traceback = FAILED, error_text(exc), traceback.format_exc()
        keep = getattr(exc, "keep", None)
        if callable(keep) and state is not None:
            try:
                keep(state.stores.control)
            except Exception:  # keeping the evidence must not hide the failure
                pass
        report.failure = {"endpoint": getattr(exc, "endpoint", None), "status": getattr(exc, "status", None),
                          "attempts": getattr(exc, "attempts", None),
                          "raw_ref": raw_reference(exc, None)}
    report.duration = time.monotonic() - started
    if state is not None:
        report.http_calls = state.context.http_calls - calls
    return report


def dask_job(job: Any) -> Any:
    return run_job(job, "dask")


def spark_job(job: Any) -> Any:
    return run_job(job, "spark")


def local_job(job: Any) -> Any:
    return run_job(job, "local")
