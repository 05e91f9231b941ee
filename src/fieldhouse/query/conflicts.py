"""The conflict log of a run (``fieldhouse runs show RUN_ID --conflicts``,
``GET /api/v1/runs/{run_id}/conflicts``): the stale rows recorded, and per table how many
were recorded and how many only counted (omitted beyond the sample size)."""

from __future__ import annotations

from itertools import islice

from ..runs import conflicts as log
from ..runs import ledger
from ..stores import Store
from .models import ConflictRecord


def conflicts(control: Store, run_id: str, *, table: str | None = None, limit: int = 100,
              offset: int = 0) -> list[ConflictRecord]:
    """The recorded stale rows of run ``run_id`` (of ``table``), by table then in the order
    the run met them: ``limit`` of them from ``offset``."""
    rows = islice(log.iter_conflicts(control, run_id, table=table), max(0, offset), max(0, offset) + max(0, limit))
    return [ConflictRecord(run_id=r["run_id"], table=r["table_name"], key=r["key"] or {},
                           incoming_version=r["incoming_version"], stored_version=r["stored_version"],
                           recorded_at=r["recorded_at"], unit_key=r["unit_key"]) for r in rows]


def conflict_counts(control: Store, run_id: str) -> dict[str, dict[str, int]]:
    """Per table of run ``run_id`` with stale rows: ``{"stale": n, "recorded": n, "omitted": n}``
    (omitted: stale rows beyond the sample size, counted but not recorded)."""
    recorded = log.recorded_counts(control, run_id)
    row = ledger.get_run(control, run_id)
    stale = {t: int((c or {}).get("stale", 0) or 0) for t, c in ((row or {}).get("counts") or {}).items()}
    out = {}
    for table in sorted(set(recorded) | {t for t, n in stale.items() if n}):
        kept = recorded.get(table, 0)
        total = max(stale.get(table, 0), kept)
        out[table] = {"stale": total, "recorded": kept, "omitted": total - kept}
    return out
