"""Running an NBA sync: a client (live or archive), the units, the run around them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ...runs.runner import RunOutcome, run_units
from ...stores import connect
from .sync import SOURCE, archive_as_of, make_client, plan_units


@dataclass
class SyncReport:
    command: str
    outcome: RunOutcome
    http_calls: int
    arguments: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.outcome.status

    @property
    def exit_code(self) -> int:
        return {"success": 0, "partial": 3}.get(self.status, 1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "source": SOURCE,
            "command": self.command,
            "http_calls": self.http_calls,
            "tables": self.outcome.counts(),
            "units": [{"key": u.key, "status": u.status, "error": u.error} for u in self.outcome.units],
        }


def sync_nba(settings: Any, seasons: list[str], season_types: list[str], *, archive: str | None = None,
             full: bool = False, as_of: date | None = None, safety_days: int = 2,
             command: str = "sync", schedule_days: int = 1) -> SyncReport:
    archive = archive or getattr(settings, "archive_dir", None)
    client = make_client(settings, archive)
    if as_of is None and archive:
        as_of = archive_as_of(archive)
    arguments = {"seasons": seasons, "season_types": season_types, "archive": archive, "full": full,
                 "as_of": as_of.isoformat() if as_of else None, "safety_days": safety_days}
    with connect(settings.database) as store:
        units = plan_units(client, store, seasons, season_types, full=full, as_of=as_of,
                           schedule_days=schedule_days, safety_days=safety_days)
        outcome = run_units(store, units)
    return SyncReport(command, outcome, getattr(client.fetcher, "requests_sent", 0), arguments)
