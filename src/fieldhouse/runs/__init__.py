"""Orchestration: recorded runs of a source's units, watermarks, the run ledger, dead
letters, audits.

``execute_run`` runs units as one recorded run (see docs/runs.md); :mod:`.commands` is the
Python API that runs a source by name (``fieldhouse.sync``, ``backfill``, ``retry``,
``audit``).
"""

from __future__ import annotations

import importlib
from typing import Any

# Loaded on first use, so that importing a light module of this package (``runs.interrupt``,
# which every command needs before it runs) does not load the executor, stores and sources.
_LAZY = {"Unit": "..sources.units", "UnitResult": "..sources.units", "execute_run": ".execute",
         "RunReport": ".report", "UnitOutcome": ".report"}

__all__ = ["RunReport", "Unit", "UnitOutcome", "UnitResult", "execute_run"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value
