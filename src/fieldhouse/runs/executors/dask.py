"""``--executor dask`` (a local cluster: ``LocalCluster`` of 2 worker processes, one thread
each, bound to 127.0.0.1, no dashboard) and ``--executor dask://host:8786`` (a running
scheduler).  Needs ``pip install 'fieldhouse[dask]'``.

A worker process that dies mid-job (killed, out of memory) is replaced by its nanny and the
scheduler runs the job again on a live worker; ``retries`` also re-runs a job whose worker
raised (a job never raises: failures come back as failed reports).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ...errors import ConfigError

LOCAL_WORKERS = 2


def _distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ConfigError("--executor dask needs dask distributed: pip install 'fieldhouse[dask]'") from None
    return distributed


class DaskExecutor:
    name = "dask"
    distributed = True

    def __init__(self, address: str | None = None, *, workers: int = LOCAL_WORKERS) -> None:
        dist = _distributed()
        self._cluster = None
        if address is None:
            self._cluster = dist.LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                dashboard_address=None, silence_logs=40)
            self.client = dist.Client(self._cluster)
        else:
            try:
                self.client = dist.Client(address, timeout=10)
            except OSError as exc:
                raise ConfigError(f"--executor dask://{address}: no dask scheduler answers ({exc})") from None
        found = len(self.client.scheduler_info().get("workers", {}))
        self.workers = max(1, found if address is not None else workers)

    def map(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[Any]:
        dist = _distributed()
        futures = [self.client.submit(fn, job, pure=False, retries=2) for job in jobs]
        for future in dist.as_completed(futures):
            yield future.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
