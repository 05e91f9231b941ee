"""The quarantine: ``fieldhouse_rejects``, where every rejected row lands with its reason.

A reject's key is a hash of its target, its location in the record, its reason and the raw
element, so the same bad data loaded again maps to the same quarantine row: a second load
of a file changes nothing here either.  ``captured_at`` is the version (the last capture
the reject was seen in); ``quarantined_at`` is when the row was last written.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, time
from hashlib import blake2b
from typing import Any

from ..stores.result import Rejected
from ..table import Table
from ..types import json_text, text_problem

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


#: How much of a value's text the quarantine keeps when the value cannot be stored as JSON.
MAX_SHOWN = 10_000


def _clean(text: str) -> str:
    """Text every store can hold: a NUL character becomes the six characters ``\\u0000``,
    a lone surrogate its ``\\udXXX`` escape (so the bad data stays visible)."""
    if text_problem(text) is None:
        return text
    return text.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")


def _key(key: Any) -> str:
    """An object key as JSON writes it (``1`` -> ``"1"``, ``None`` -> ``"null"``)."""
    if isinstance(key, str):
        return _clean(key)
    return json.dumps(key) if key is None or isinstance(key, bool | int | float) else _clean(_text_of(key))


def _walk(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else ("NaN" if value != value else "Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, dict):
        return {_key(k): _walk(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_walk(v) for v in value]
    return _clean(_text_of(value))


def _text_of(value: Any) -> str:
    """A value JSON has no form for, as text (dates and times in ISO 8601)."""
    return value.isoformat() if isinstance(value, date | time) else str(value)


def plain(value: Any) -> Any:
    """The raw element as a JSON value both stores can hold, whatever it holds: values JSON
    has no form for become text (NaN and infinities as ``"NaN"``/``"Infinity"``, dates and
    times in ISO 8601, other objects by ``str``), NUL characters and lone surrogates their
    escapes; a value nested too deeply to walk becomes the start of its text."""
    try:
        text = json.dumps(value, default=_text_of, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = None
    if text is not None and text_problem(text) is None and "\\u0000" not in text:
        return json.loads(text)  # the common case: a JSON value already
    try:
        return _walk(value)
    except (RecursionError, ValueError):
        try:
            shown = repr(value)
        except (RecursionError, ValueError):
            shown = f"<{type(value).__name__}>"
        return _clean(shown[:MAX_SHOWN])


def reject_id(reject: Rejected) -> str:
    body = json.dumps(
        [_clean(reject.target or reject.table), _clean(reject.location), _clean(reject.reason), plain(reject.row)],
        sort_keys=True, separators=(",", ":"), ensure_ascii=False,
    )
    return blake2b(body.encode(), digest_size=16).hexdigest()


def quarantine_rows(rejects: list[Rejected], captured_at: datetime | None) -> list[dict[str, Any]]:
    """One quarantine row per reject; every value is one the quarantine table always takes
    (``record`` is given as JSON text, so a raw element that is itself text, such as a line
    that is not JSON, is stored as a JSON string)."""
    stamp = captured_at or EPOCH
    return [
        {
            "reject_id": reject_id(r),
            "target": _clean(r.target or r.table),
            "table_name": r.table,
            "reason": _clean(r.reason),
            "record": json_text(plain(r.row)),
            "location": _clean(r.location),
            "origin": None if r.origin is None else _clean(r.origin),
            "captured_at": stamp,
        }
        for r in rejects
    ]
