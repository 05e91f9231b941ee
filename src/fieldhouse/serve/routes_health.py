"""``/api/v1/system/status``, ``/healthz`` and ``/readyz``: never a 200 with an error inside
(an unreachable database is a 503 whose body says ``down``)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from .db import Unavailable, read_stores, schema_problem
from .deps import settings_of
from .models import ErrorBody, Health, Readiness, SystemStatus
from .status import database_state, down, system_status

router = APIRouter()


@router.get("/api/v1/system/status", response_model=SystemStatus, tags=["api"],
            responses={503: {"model": SystemStatus, "description": "state down: the database cannot be read"},
                       401: {"model": ErrorBody}})
def get_status(request: Request):
    """The overall state (ok, degraded, down) and why; per source its last run and running
    runs; per table its rows and freshness; open dead letters; audits; active alerts."""
    settings = settings_of(request)
    try:
        with read_stores(settings) as stores:
            found = system_status(stores.data, stores.control, settings)
    except Unavailable as exc:
        found = down(settings, str(exc))
    if found.state == "down":
        return request.app.state.json_response(found.model_dump(mode="json"), status_code=503)
    return found


@router.get("/healthz", response_model=Health, tags=["health"])
def healthz() -> Health:
    """The process is up (it does not look at the database)."""
    return Health()


@router.get("/readyz", response_model=Readiness, tags=["health"],
            responses={503: {"model": Readiness, "description": "database unreachable or wrong schema version"}})
def readyz(request: Request):
    """Ready to serve: the database answers and its schema version is the one we read."""
    settings = settings_of(request)
    try:
        with read_stores(settings) as stores:
            version, problem = schema_problem(stores.control)
    except Unavailable as exc:
        body = Readiness(ready=False, database=database_state(settings, reachable=False), reason=str(exc))
        return request.app.state.json_response(body.model_dump(mode="json"), status_code=503)
    body = Readiness(ready=problem is None, database=database_state(settings, reachable=True, version=version),
                     reason=problem)
    return body if problem is None else request.app.state.json_response(body.model_dump(mode="json"), status_code=503)
