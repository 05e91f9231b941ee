"""The run ledger: ``fieldhouse_runs`` (one row per run), ``fieldhouse_units`` (one row per
unit of a run) and ``fieldhouse_meta`` (the schema version), written through the store API.

Ledger rows are rewritten as a run progresses (running, then success; a unit running,
then done), so every ledger table is versioned by ``updated_at``, a timestamp that only
goes forward in a process (:func:`stamp`): the last write of a row always wins the upsert,
and a late heartbeat can never bring back an older state because every write carries the
whole current state of the row.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from .._version import __version__
from ..errors import FieldhouseError
from ..stores import Store
from ..table import Table
from .conflicts import CONFLICTS_TABLE, ConflictSampler
from .statuses import ABANDONED, RUNNING

log = logging.getLogger("fieldhouse.runs")

#: The version of fieldhouse's own tables; ``fieldhouse doctor`` checks it.
SCHEMA_VERSION = 1


META_TABLE = Table(
    "fieldhouse_meta",
    columns={"key": "text", "value": "text", "updated_at": "timestamptz"},
    primary_key=["key"],
    version="updated_at",
)

RUNS_TABLE = Table(
    "fieldhouse_runs",
    columns={
        "run_id": "text",
        "source": "text not null",
        "command": "text not null",
        "arguments": "json",
        "started_at": "timestamptz not null",
        "finished_at": "timestamptz",
        "status": "text not null",
        "counts": "json",
        "units_total": "int",
        "units_failed": "int",
        "units_skipped": "int",
        "http_calls": "int",
        "error": "text",
        "preflight": "json",
        "audit": "json",
        "dead_letters": "json",
        "fieldhouse_version": "text",
        "host": "text",
        "pid": "int",
        "heartbeat": "timestamptz",
        "updated_at": "timestamptz",
        "filled": "json",  # {table: {"rows": n, "columns": {column: non-NULL values}}}: rows given to the store
    },
    primary_key=["run_id"],
    version="updated_at",
)

UNITS_TABLE = Table(
    "fieldhouse_units",
    columns={
        "run_id": "text",
        "unit_key": "text",
        "kind": "text",
        "source": "text",
        "status": "text not null",  # running | success | failed | skipped | abandoned
        "attempts": "int",
        "started_at": "timestamptz",
        "duration": "float",
        "counts": "json",
        "error": "text",
        "traceback": "text",
        "worker": "text",  # engine:host:pid of the process that ran it (added in schema 1)
        "updated_at": "timestamptz",
        "filled": "json",
    },
    primary_key=["run_id", "unit_key"],
    version="updated_at",
)

LEDGER_TABLES = (META_TABLE, RUNS_TABLE, UNITS_TABLE, CONFLICTS_TABLE)

_stamp_lock = threading.Lock()
_last_stamp = datetime.min.replace(tzinfo=UTC)


def stamp() -> datetime:
    """Now (UTC), strictly later than any stamp this process handed out before."""
    global _last_stamp
    with _stamp_lock:
        now = datetime.now(UTC)
        if now <= _last_stamp:
            now = _last_stamp + timedelta(microseconds=1)
        _last_stamp = now
        return now


def new_run_id(now: datetime | None = None) -> str:
    """Sortable and readable: ``20250102-030000-ab12cd``."""
    now = now or datetime.now(UTC)
    return now.strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]


def host_name() -> str:
    return socket.gethostname()


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_ledger(store: Store) -> None:
    for table in LEDGER_TABLES:
        store.ensure_table(table)


def upgrade(store: Store) -> None:
    """Bring the ledger of a database written by an older release up to this one's (the
    columns and tables it added: ``filled``, ``fieldhouse_conflicts``) before a command
    reads it; nothing if fieldhouse never ran there.  A store that refuses (a read-only
    user) is left as it is: the next run adds them."""
    try:
        if store.table_exists(RUNS_TABLE) and _behind(store):
            ensure_ledger(store)
    except FieldhouseError as exc:
        log.debug("ledger not upgraded: %s", exc)


def _behind(store: Store) -> bool:
    """Whether a ledger table or column this release declares is missing (read only: a
    command never takes the write lock, which a running sync may hold, when nothing is)."""
    describe = getattr(store, "_describe", None)
    if not callable(describe):
        return True
    for table in LEDGER_TABLES:
        found = describe(table)
        if found is None or any(column not in found[0] for column in table.columns):
            return True
    return False


# -- meta --------------------------------------------------------------------------------
def schema_version(store: Store) -> int | None:
    """The schema version recorded in the database, or None if fieldhouse never ran there."""
    if not store.table_exists(META_TABLE):
        return None
    rows = store.rows(META_TABLE, where={"key": "schema_version"})
    return int(rows[0]["value"]) if rows else None


def set_meta(store: Store, key: str, value: str) -> None:
    store.upsert(META_TABLE, [{"key": key, "value": value, "updated_at": stamp()}])


# -- runs --------------------------------------------------------------------------------
class RunRecord:
    """The in-memory state of one run's ledger row.  Every write sends the whole row with a
    fresh :func:`stamp`, under a lock shared with the heartbeat thread."""

    def __init__(self, source: str, command: str, arguments: Mapping[str, Any] | None, *,
                 conflict_sample: int = 1000) -> None:
        now = datetime.now(UTC)
        self.lock = threading.Lock()  # guards ``row``; never held while writing
        self.write_lock = threading.Lock()  # serialises writes of the row (main, heartbeat)
        self.row: dict[str, Any] = {
            "run_id": new_run_id(now),
            "source": source,
            "command": command,
            "arguments": dict(arguments or {}),
            "started_at": now,
            "finished_at": None,
            "status": RUNNING,
            "counts": {},
            "units_total": 0,
            "units_failed": 0,
            "units_skipped": 0,
            "http_calls": 0,
            "error": None,
            "preflight": None,
            "audit": None,
            "dead_letters": None,
            "fieldhouse_version": __version__,
            "host": host_name(),
            "pid": os.getpid(),
            "heartbeat": now,
            "filled": {},
        }
        self.conflicts = ConflictSampler(self.row["run_id"], conflict_sample)

    @property
    def run_id(self) -> str:
        return self.row["run_id"]

    def update(self, **values: Any) -> None:
        with self.lock:
            self.row.update(values)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            now = stamp()
            return {**self.row, "heartbeat": now, "updated_at": now}

    def save(self, store: Store) -> None:
        """Write the whole row (also serves as a heartbeat).  Never call it inside a
        transaction: the heartbeat thread may be waiting for the database meanwhile."""
        with self.write_lock:
            store.upsert(RUNS_TABLE, [self.snapshot()])


def get_run(store: Store, run_id: str) -> dict[str, Any] | None:
    if not store.table_exists(RUNS_TABLE):
        return None
    rows = store.rows(RUNS_TABLE, where={"run_id": run_id})
    return rows[0] if rows else None


def find_run(store: Store, prefix: str) -> dict[str, Any] | None:
    """The run whose id is ``prefix`` or, failing that, the only one starting with it."""
    exact = get_run(store, prefix)
    if exact or not store.table_exists(RUNS_TABLE):
        return exact
    ids = [r["run_id"] for r in store.rows(RUNS_TABLE, columns=["run_id"]) if r["run_id"].startswith(prefix)]
    return get_run(store, ids[0]) if len(ids) == 1 else None


def list_runs(store: Store, *, last: int | None = None, source: str | None = None,
              status: str | None = None) -> list[dict[str, Any]]:
    """Runs, newest first (of ``source``, with ``status``; the ``last`` ones)."""
    if not store.table_exists(RUNS_TABLE):
        return []
    where = {k: v for k, v in (("source", source), ("status", status)) if v is not None}
    return store.rows(RUNS_TABLE, where=where or None, order_by=["-started_at", "-run_id"], limit=last)


def unit_rows(store: Store, run_id: str) -> list[dict[str, Any]]:
    if not store.table_exists(UNITS_TABLE):
        return []
    return store.rows(UNITS_TABLE, where={"run_id": run_id}, order_by=["started_at", "unit_key"])


def looks_dead(run: Mapping[str, Any], *, stale_after: float, now: datetime | None = None) -> str | None:
    """Why a ``running`` run seems dead (heartbeat stale, or its process gone on this host),
    or None if it may still be alive."""
    if run["status"] != RUNNING:
        return None
    now = now or datetime.now(UTC)
    if run["host"] == host_name() and run.get("pid") and not pid_alive(run["pid"]):
        return f"its process {run['pid']} on {run['host']} is gone"
    beat = run.get("heartbeat")
    if beat is not None and (now - beat).total_seconds() > stale_after:
        return f"no heartbeat since {beat:%Y-%m-%d %H:%M:%S} UTC"
    return None


def abandon(store: Store, run: Mapping[str, Any], reason: str) -> dict[str, Any]:
    """Mark a dead run (and its units still marked running) ``abandoned``."""
    now = stamp()
    row = {**run, "status": ABANDONED, "finished_at": run.get("finished_at") or now,
           "error": f"abandoned: {reason}", "updated_at": now}
    with store.transaction():
        store.upsert(RUNS_TABLE, [row])
        units = [u for u in unit_rows(store, run["run_id"]) if u["status"] == RUNNING]
        if units:
            later = stamp()
            store.upsert(UNITS_TABLE, [{**u, "status": ABANDONED, "updated_at": later,
                                        "error": "the run died while this unit was in progress"}
                                       for u in units])
    return row


def unit_row(run: RunRecord, key: str, kind: str, status: str, *, attempts: int = 1,
             started_at: datetime | None = None, duration: float | None = None,
             counts: Mapping[str, Any] | None = None, error: str | None = None,
              traceback: str | None = None, filled: Mapping[str, Any] | None = None,
              worker: str | None = None) -> dict[str, Any]:
    return {
        "run_id": run.run_id, "unit_key": key, "kind": kind, "source": run.row["source"],
        "status": status, "attempts": attempts, "started_at": started_at, "duration": duration,
        "counts": dict(counts or {}), "error": error, "traceback": traceback, "updated_at": stamp(),
        "filled": dict(filled or {}), "worker": worker or local_worker(),
    }


def local_worker() -> str:
    """The ``worker`` of a unit run in the driver's own process: ``local:host:pid``."""
    return f"local:{host_name()}:{os.getpid()}"
