"""Orchestration: recorded runs of a source's units, watermarks, the run ledger, dead
letters, audits.

``execute_run`` runs units as one recorded run (see docs/runs.md); :mod:`.commands` is the
Python API that runs a source by name (``fieldhouse.sync``, ``backfill``, ``retry``,
``audit``).
"""

from ..sources.units import Unit, UnitResult
from .execute import execute_run
from .report import RunReport, UnitOutcome

__all__ = ["RunReport", "Unit", "UnitOutcome", "UnitResult", "execute_run"]
