"""Orchestration: units of work, watermarks, the run ledger, dead letters, audits.

``execute_run`` is the entry point every source's sync uses (see docs/runs.md).
"""

from .execute import RunReport, execute_run
from .units import Unit

__all__ = ["RunReport", "Unit", "execute_run"]
