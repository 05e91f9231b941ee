"""Dead letters: units that failed for good, kept in ``fieldhouse_dead_letters`` until a
later run succeeds with them (or someone resolves them by hand).

One row per (source, unit key): a unit that fails again updates its row (``attempts`` + 1,
``last_seen``, the latest error) and re-opens it if it had been resolved.  The next run of
the source retries the open ones first; a unit that succeeds closes its dead letter in the
same transaction as its rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..stores import Store
from ..table import Table
from .ledger import stamp

OPEN, RESOLVED = "open", "resolved"

DEAD_LETTERS_TABLE = Table(
    "fieldhouse_dead_letters",
    columns={
        "source": "text",
        "unit_key": "text",
        "id": "text not null",
        "kind": "text",
        "status": "text not null",  # open | resolved
        "error": "text",
        "traceback": "text",
        "attempts": "int",
        "first_seen": "timestamptz",
        "last_seen": "timestamptz",
        "first_run_id": "text",
        "last_run_id": "text",
        "endpoint": "text",
        "http_status": "int",
        "fetch_attempts": "int",
        "raw_ref": "json",
        "resolved_at": "timestamptz",
        "resolved_by": "text",
        "updated_at": "timestamptz",
    },
    primary_key=["source", "unit_key"],
    version="updated_at",
)


def letter_id(source: str, unit_key: str) -> str:
    """A short stable id for the command line: ``dl-`` and 8 hex digits."""
    return "dl-" + hashlib.blake2b(f"{source}\0{unit_key}".encode(), digest_size=4).hexdigest()


def raw_reference(exc: BaseException | None, unit: Any = None) -> dict[str, Any] | None:
    """Where the failing response can be found, if the failure saw one: an exception's or a
    unit's ``raw_ref`` (e.g. ``{"source", "endpoint", "params", "content_hash"}`` of a row of
    ``fieldhouse_raw``), else what a FetchError says about the request."""
    for holder in (exc, unit):
        ref = getattr(holder, "raw_ref", None)
        if ref:
            return dict(ref)
    endpoint = getattr(exc, "endpoint", None)
    if endpoint:
        return {"endpoint": endpoint, "status": getattr(exc, "status", None)}
    return None


def get(store: Store, source: str, unit_key: str) -> dict[str, Any] | None:
    if not store.table_exists(DEAD_LETTERS_TABLE):
        return None
    rows = store.rows(DEAD_LETTERS_TABLE, where={"source": source, "unit_key": unit_key})
    return rows[0] if rows else None


def list_letters(store: Store, *, source: str | None = None, status: str | None = OPEN) -> list[dict[str, Any]]:
    """Dead letters (open ones by default), oldest first."""
    if not store.table_exists(DEAD_LETTERS_TABLE):
        return []
    where = {k: v for k, v in (("source", source), ("status", status)) if v}
    return store.rows(DEAD_LETTERS_TABLE, where=where or None, order_by=["first_seen", "source", "unit_key"])


def record_failure(store: Store, *, source: str, unit_key: str, kind: str, run_id: str,
                   error: str, traceback: str | None, exc: BaseException | None = None,
                   unit: Any = None, now: datetime | None = None) -> dict[str, Any]:
    """Open (or update and re-open) the dead letter of a failed unit.  An exception with a
    ``keep(store)`` method (e.g. a suspect response) keeps what it holds for inspection first."""
    keep = getattr(exc, "keep", None)
    if callable(keep):
        keep(store)
    when = now or stamp()
    old = get(store, source, unit_key)
    row = {
        "source": source, "unit_key": unit_key, "id": letter_id(source, unit_key), "kind": kind,
        "status": OPEN, "error": error, "traceback": traceback,
        "attempts": (old["attempts"] or 0) + 1 if old else 1,
        "first_seen": old["first_seen"] if old else when, "last_seen": when,
        "first_run_id": old["first_run_id"] if old else run_id, "last_run_id": run_id,
        "endpoint": getattr(exc, "endpoint", None), "http_status": getattr(exc, "status", None),
        "fetch_attempts": getattr(exc, "attempts", None) or None,
        "raw_ref": raw_reference(exc, unit), "resolved_at": None, "resolved_by": None,
        "updated_at": stamp(),
    }
    store.upsert(DEAD_LETTERS_TABLE, [row])
    return row


def resolve(store: Store, row: Mapping[str, Any], *, by: str) -> dict[str, Any]:
    """Close a dead letter: ``by`` is the run that succeeded with the unit, or ``manual``."""
    now = stamp()
    closed = {**row, "status": RESOLVED, "resolved_at": now, "resolved_by": by, "updated_at": now}
    store.upsert(DEAD_LETTERS_TABLE, [closed])
    return closed
