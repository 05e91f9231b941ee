"""The queries every face asks (the CLI's ``runs``, ``runs show``, ``status``,
``deadletters``, ``audit``; the HTTP service): plain functions over the control store (the
ledger, dead letters, raw zone) and the data store (a source's tables), each returning a
typed result from :mod:`.models`.  They only read."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from ..errors import ConfigError
from ..mapping.quarantine import QUARANTINE
from ..runs import deadletters, ledger
from ..settings import AlertSettings
from ..sources import registry
from ..sources.protocol import Source
from ..sources.raw import RAW_TABLE
from ..sources.shrink import SUSPECT_TABLE
from ..sources.watermarks import WATERMARKS
from ..stores import Store
from ..table import Table
from .alerting import alerts
from .models import (
    AuditSummary,
    DeadLetter,
    OpenDeadLetter,
    RunBrief,
    RunDetail,
    RunSummary,
    SourceStatus,
    Status,
    TableStatus,
    UnitRecord,
)

#: Seconds without a heartbeat after which a ``running`` run looks dead (the default of
#: ``FIELDHOUSE_RUN_STALE_AFTER``).
STALE_AFTER = 120.0


def _summary(row: dict[str, Any], stale_after: float) -> RunSummary:
    return RunSummary(**row, looks_dead=ledger.looks_dead(row, stale_after=stale_after))


def runs(control: Store, *, last: int | None = None, source: str | None = None,
         stale_after: float = STALE_AFTER) -> list[RunSummary]:
    """The last runs, newest first (of ``source``)."""
    return [_summary(r, stale_after) for r in ledger.list_runs(control, last=last, source=source)]


def run(control: Store, run_id: str, *, stale_after: float = STALE_AFTER) -> RunDetail | None:
    """One run (by its id or an unambiguous prefix of it) with its units; None if none; a
    ConfigError (bad usage) for a prefix of several run ids."""
    row = ledger.find_run(control, run_id)
    if row is None:
        many = [r["run_id"] for r in ledger.list_runs(control) if r["run_id"].startswith(run_id)]
        if len(many) > 1:
            raise ConfigError(f"{run_id!r} is the start of {len(many)} run ids ({', '.join(many[:3])}"
                              f"{', ...' if len(many) > 3 else ''}): give more of it")
        return None
    units = [UnitRecord(**u) for u in ledger.unit_rows(control, row["run_id"])]
    return RunDetail(**_summary(row, stale_after).model_dump(), units=units)


def dead_letters(control: Store, *, source: str | None = None, include_resolved: bool = False) -> list[DeadLetter]:
    """Dead letters, oldest first: the open ones (and the resolved ones with ``include_resolved``)."""
    status = None if include_resolved else deadletters.OPEN
    return [DeadLetter(**r) for r in deadletters.list_letters(control, source=source, status=status)]


def dead_letter(control: Store, ident: str) -> DeadLetter | None:
    """A dead letter by its id (``dl-…``) or its unit key."""
    for letter in dead_letters(control, include_resolved=True):
        if ident in (letter.id, letter.unit_key):
            return letter
    return None


def control_tables() -> list[Table]:
    """fieldhouse's own tables, in the control store."""
    return [RAW_TABLE, SUSPECT_TABLE, WATERMARKS, *ledger.LEDGER_TABLES, deadletters.DEAD_LETTERS_TABLE]


def managed_tables(data: Store, control: Store, sources: Iterable[Source]) -> list[tuple[Store, Table]]:
    """Every table fieldhouse manages that the stores hold, as (store, table): the data
    store's catalog (``fieldhouse_tables``: every table any sync, load or replay created),
    then the control store's own tables.  The tables of ``sources`` and fieldhouse's own are
    looked for too, so a database written before the catalog existed is listed whole."""
    found: list[tuple[Store, Table]] = []
    names: set[str] = set()

    def add(store: Store, table: Table) -> None:
        if table.name not in names and store.table_exists(table):
            names.add(table.name)
            found.append((store, table))

    for store, kind in ((data, "data"), (control, "control")):
        for entry in store.tables():
            if entry.kind == kind:
                add(store, entry.table)
    for table in [*(t for s in sources for t in s.tables().values()), QUARANTINE]:
        add(data, table)
    for table in control_tables():
        add(control, table)
    return found


def tables(data: Store, control: Store, sources: Iterable[Source]) -> list[TableStatus]:
    """Rows and newest version of each table fieldhouse manages that exists (see
    :func:`managed_tables`)."""
    out = []
    for store, table in managed_tables(data, control, sources):
        column = "captured_at" if "captured_at" in table.columns else table.version
        out.append(TableStatus(table=table.name, rows=store.count(table), newest_column=column,
                               newest=store.max_value(table, column)))
    return out


def _brief(row: dict[str, Any], stale_after: float) -> RunBrief:
    return RunBrief(**{k: row[k] for k in ("run_id", "command", "status", "started_at", "finished_at", "error")},
                    looks_dead=ledger.looks_dead(row, stale_after=stale_after))


def status(data: Store, control: Store, *, database: str, source: str | None = None,
           sources: Sequence[Source] | None = None, stale_after: float = STALE_AFTER,
           alert_settings: AlertSettings | None = None, now: datetime | None = None) -> Status:
    """What ``fieldhouse status`` shows: the tables, per source its last run and last
    success, the open dead letters, the last audit and the active alerts (of ``source``
    only, if given)."""
    sources = registry.resolve(source) if sources is None else sources
    per_source: dict[str, SourceStatus] = {}
    audited: dict[str, Any] | None = None
    where = {"source": source} if source else None
    if control.table_exists(ledger.RUNS_TABLE):
        for row in control.iter_rows(ledger.RUNS_TABLE, where=where, order_by=["-started_at", "-run_id"]):
            entry = per_source.setdefault(row["source"], SourceStatus(source=row["source"]))
            if entry.last_run is None:
                entry.last_run = _brief(row, stale_after)
            if entry.last_success is None and row["status"] == "success":
                entry.last_success = _brief(row, stale_after)
            if audited is None and row.get("audit"):
                audited = row
    letters = [OpenDeadLetter(**letter.model_dump()) for letter in dead_letters(control, source=source)]
    active = [a for a in alerts(data, control, sources, settings=alert_settings, now=now)
              if source is None or a.source in (None, source)]
    return Status(database=database, tables=tables(data, control, sources), sources=list(per_source.values()),
                  open_dead_letters=letters, last_audit=_audit_summary(audited), alerts=active)


def _audit_summary(row: dict[str, Any] | None) -> AuditSummary | None:
    if row is None:
        return None
    return AuditSummary(run_id=row["run_id"], source=row["source"], command=row["command"],
                        at=row["finished_at"] or row["started_at"], **row["audit"])


def last_audit(control: Store, *, source: str | None = None) -> AuditSummary | None:
    """The newest recorded audit results (of ``source``)."""
    if not control.table_exists(ledger.RUNS_TABLE):
        return None
    where = {"source": source} if source else None
    for row in control.iter_rows(ledger.RUNS_TABLE, where=where, order_by=["-started_at", "-run_id"]):
        if row.get("audit"):
            return _audit_summary(row)
    return None
