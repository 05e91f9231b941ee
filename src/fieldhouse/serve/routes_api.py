"""``/api/v1``: runs (paginated), one run, its conflicts, tables, dead letters, audits and
alerts, each a typed model read through the query layer."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request

from .. import query
from ..errors import ConfigError
from ..stores.roles import Stores
from . import bridge
from .db import installed_sources
from .deps import settings_of, stores
from .models import (
    Alert,
    AuditSummary,
    ConflictPage,
    DeadLetter,
    ErrorBody,
    RunError,
    RunPage,
    RunWithErrors,
    TableState,
)
from .status import table_states

router = APIRouter(prefix="/api/v1", tags=["api"], responses={
    401: {"model": ErrorBody}, 503: {"model": ErrorBody, "description": "the database is unreachable"}})
StoresDep = Annotated[Stores, Depends(stores)]
RunStatus = Literal["running", "success", "partial", "failed", "abandoned"]


def encode_cursor(started_at: datetime, run_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([started_at.isoformat(), run_id]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        started, run_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return datetime.fromisoformat(started), str(run_id)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise HTTPException(400, "cursor is not one this service handed out: use next_cursor as given") from None


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@router.get("/runs", response_model=RunPage)
def list_runs(
    request_stores: StoresDep,
    source: Annotated[str | None, Query(description="only runs of this source")] = None,
    status: Annotated[RunStatus | None, Query(description="only runs with this status")] = None,
    since: Annotated[datetime | None, Query(description="only runs started at or after this time (UTC)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
) -> RunPage:
    """The runs, newest first, a page at a time."""
    after = decode_cursor(cursor) if cursor else None
    found = []
    for run in query.runs(request_stores.control, source=source):
        if status and run.status != status:
            continue
        if since and run.started_at < _utc(since):
            break
        if after and (run.started_at, run.run_id) >= (_utc(after[0]), after[1]):
            continue
        found.append(run)
        if len(found) > limit:
            break
    page, more = found[:limit], len(found) > limit
    return RunPage(runs=page, next_cursor=encode_cursor(page[-1].started_at, page[-1].run_id) if more else None)


def _run_or_404(request_stores: Stores, run_id: str) -> query.RunDetail:
    try:
        found = query.run(request_stores.control, run_id)
    except ConfigError as exc:
        raise HTTPException(400, str(exc)) from None
    if found is None:
        raise HTTPException(404, f"no run {run_id!r}")
    return found


@router.get("/runs/{run_id}", response_model=RunWithErrors, responses={404: {"model": ErrorBody}})
def get_run(run_id: str, request_stores: StoresDep) -> RunWithErrors:
    """One run (its id or an unambiguous prefix) with its units and the errors of its units."""
    run = _run_or_404(request_stores, run_id)
    errors = [RunError(unit_key=u.unit_key, kind=u.kind, status=u.status, error=u.error)
              for u in run.units if u.error]
    return RunWithErrors(**run.model_dump(), errors=errors,
                         conflict_counts=bridge.conflict_counts(request_stores.control, run.run_id))


@router.get("/runs/{run_id}/conflicts", response_model=ConflictPage, responses={404: {"model": ErrorBody}})
def get_conflicts(
    run_id: str,
    request_stores: StoresDep,
    table: Annotated[str | None, Query(description="only this table")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ConflictPage:
    """The stale rows a run met (incoming older than stored): key and both versions."""
    run = _run_or_404(request_stores, run_id)
    control = request_stores.control
    return ConflictPage(run_id=run.run_id, counts=bridge.conflict_counts(control, run.run_id),
                        conflicts=bridge.conflicts(control, run.run_id, table=table, limit=limit, offset=offset),
                        limit=limit, offset=offset)


@router.get("/tables", response_model=list[TableState])
def list_tables(request_stores: StoresDep) -> list[TableState]:
    """Every table fieldhouse manages: rows, newest version and its age in seconds."""
    return table_states(request_stores.data, request_stores.control, installed_sources(), datetime.now(UTC))


@router.get("/deadletters", response_model=list[DeadLetter])
def list_dead_letters(
    request_stores: StoresDep,
    source: Annotated[str | None, Query()] = None,
    include_resolved: Annotated[bool, Query(description="also the resolved ones")] = False,
) -> list[DeadLetter]:
    """Dead letters (units that failed for good), oldest first: the open ones by default."""
    return query.dead_letters(request_stores.control, source=source, include_resolved=include_resolved)


@router.get("/audits", response_model=list[AuditSummary])
def list_audits(
    request_stores: StoresDep,
    source: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 20,
) -> list[AuditSummary]:
    """The recorded audit results, newest first (of runs, and of standalone audits)."""
    found = []
    for run in query.runs(request_stores.control, source=source):
        if run.audit:
            found.append(AuditSummary(run_id=run.run_id, source=run.source, command=run.command,
                                      at=run.finished_at or run.started_at, **run.audit))
            if len(found) >= limit:
                break
    return found


@router.get("/alerts", response_model=list[Alert])
def list_alerts(request_stores: StoresDep, request: Request) -> list[Alert]:
    """The active alerts (the rules and their settings: docs/service.md)."""
    return bridge.alerts(request_stores.data, request_stores.control, installed_sources(), settings_of(request))
