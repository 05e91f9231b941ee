"""The conflict log: the stale rows of each run (an incoming row older than the stored
one, or beaten by a newer copy in the same batch), with the key, both versions and the
run, in ``fieldhouse_conflicts`` of the control store (docs/runs.md#the-conflict-log).

A run keeps at most ``Settings.alerts.conflict_sample`` of them per table (the first ones
it meets); the rest are only counted (a run's ``counts`` say how many rows were stale, so
omitted = stale - recorded).  They are written with the unit's ledger row, in the same
control-store commit."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from ..stores import Store
from ..table import Table

CONFLICTS_TABLE = Table(
    "fieldhouse_conflicts",
    columns={
        "run_id": "text",
        "table_name": "text",
        "seq": "int",  # 1, 2, ... per run and table, in the order the run met them
        "unit_key": "text",
        "key": "json not null",  # the primary-key values of the row
        "incoming_version": "text",
        "stored_version": "text",
        "recorded_at": "timestamptz not null",
    },
    primary_key=["run_id", "table_name", "seq"],
    version="recorded_at",
)


def version_text(value: Any) -> str | None:
    """A version as text: ISO 8601 for dates and times, ``str`` for anything else."""
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime | date) else value


class ConflictSampler:
    """The conflicts one run records: per table at most ``cap`` (counted across the units
    of the run; a unit's rows are taken only once its commit succeeded: :meth:`taken`)."""

    def __init__(self, run_id: str, cap: int) -> None:
        self.run_id, self.cap = run_id, cap
        self.recorded: dict[str, int] = {}

    def rows(self, unit_key: str, results: Mapping[str, Any], at: datetime) -> list[dict[str, Any]]:
        """The conflict rows of one unit's ``{table: UpsertResult}``, within the cap."""
        out = []
        for table, result in sorted(results.items()):
            done = self.recorded.get(table, 0)
            room = max(0, self.cap - done)
            for i, conflict in enumerate(list(getattr(result, "conflicts", None) or [])[:room]):
                out.append({
                    "run_id": self.run_id, "table_name": table, "seq": done + i + 1, "unit_key": unit_key,
                    "key": {k: _plain(v) for k, v in dict(conflict.key).items()},
                    "incoming_version": version_text(conflict.incoming_version),
                    "stored_version": version_text(conflict.stored_version), "recorded_at": at,
                })
        return out

    def taken(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Count ``rows`` as recorded (their commit succeeded)."""
        for row in rows:
            self.recorded[row["table_name"]] = max(self.recorded.get(row["table_name"], 0), row["seq"])

    def write(self, control: Store, rows: list[dict[str, Any]]) -> None:
        if rows:
            control.upsert(CONFLICTS_TABLE, rows)


def iter_conflicts(control: Store, run_id: str, *, table: str | None = None) -> Iterator[dict[str, Any]]:
    """The recorded conflicts of a run (of one table), by table then in the order met."""
    if not control.table_exists(CONFLICTS_TABLE):
        return iter(())
    where: dict[str, Any] = {"run_id": run_id}
    if table is not None:
        where["table_name"] = table
    return control.iter_rows(CONFLICTS_TABLE, where=where, order_by=["table_name", "seq"])


def recorded_counts(control: Store, run_id: str) -> dict[str, int]:
    """``{table: conflicts recorded}`` of a run."""
    out: dict[str, int] = {}
    if control.table_exists(CONFLICTS_TABLE):
        for row in control.iter_rows(CONFLICTS_TABLE, where={"run_id": run_id}, columns=["table_name"]):
            out[row["table_name"]] = out.get(row["table_name"], 0) + 1
    return out
