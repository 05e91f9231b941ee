"""The quarantine: ``fieldhouse_rejects``, where every rejected row lands with its reason.

A reject's key is a hash of its target, its location in the record, its reason and the raw
element, so the same bad data loaded again maps to the same quarantine row: a second load
of a file changes nothing here either.  ``captured_at`` is the version (the last capture
the reject was seen in); ``quarantined_at`` is when the row was last written.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from hashlib import blake2b
from typing import Any

from ..table import Table
from .apply import Reject

QUARANTINE = Table(
    "fieldhouse_rejects",
    columns={
        "reject_id": "text",
        "target": "text not null",
        "table_name": "text not null",
        "reason": "text not null",
        "record": "json",
        "location": "text",
        "origin": "text",
        "captured_at": "timestamptz",
        "quarantined_at": "timestamptz",
    },
    primary_key=["reject_id"],
    version="captured_at",
    written_at="quarantined_at",
)

# A stand-in version when a load has no capture time (e.g. the version comes from the data).
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _plain(value: Any) -> Any:
    """The raw element as JSON (values JSON cannot hold become text)."""
    return json.loads(json.dumps(value, default=str, allow_nan=False)) if _serialisable(value) else repr(value)


def _serialisable(value: Any) -> bool:
    try:
        json.dumps(value, default=str, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def reject_id(reject: Reject) -> str:
    body = json.dumps(
        [reject.target, reject.location, reject.reason, _plain(reject.record)],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return blake2b(body.encode(), digest_size=16).hexdigest()


def quarantine_rows(rejects: list[Reject], captured_at: datetime | None) -> list[dict[str, Any]]:
    stamp = captured_at or EPOCH
    return [
        {
            "reject_id": reject_id(r),
            "target": r.target,
            "table_name": r.table,
            "reason": r.reason,
            "record": _plain(r.record),
            "location": r.location,
            "origin": r.origin,
            "captured_at": stamp,
        }
        for r in rejects
    ]
