"""Executors: where a run's units execute (``--executor``, docs/scale.md)."""

from __future__ import annotations

from .local import LocalExecutor
from .protocol import Executor, ExecutorSpec, UnitJob, UnitReport

__all__ = ["Executor", "ExecutorSpec", "LocalExecutor", "UnitJob", "UnitReport", "open_executor"]


def open_executor(spec: str | ExecutorSpec | Executor | None) -> Executor:
    """The executor of ``spec`` (an ``--executor`` value, or an executor already open)."""
    if spec is not None and not isinstance(spec, str | ExecutorSpec):
        return spec
    parsed = ExecutorSpec.parse(spec)
    if parsed.kind == "dask":
        from .dask import DaskExecutor

        return DaskExecutor(parsed.address)
    if parsed.kind == "spark":
        from .spark import SparkExecutor

        return SparkExecutor(parsed.address)
    return LocalExecutor()
