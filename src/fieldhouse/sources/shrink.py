"""The shrink guard: a response far smaller than the previous capture of the same request is
suspect (docs/fetching.md, "Suspect responses").

A source counts the records of a body with its ``record_count(endpoint, data)`` (see
:class:`~fieldhouse.sources.protocol.Source`; None, the default, means not counted).  A
response holding no records where the newest capture of the same request had some, or
fewer than a fraction of them (``FIELDHOUSE_SHRINK_MIN_FRACTION``, default 0.5), is suspect:
:func:`check_size` raises :class:`SuspectResponseError` before it is landed or mapped, the
unit fails, and the body is kept in ``fieldhouse_raw_suspect`` (the dead letter's
``raw_ref`` points to it) until a user applies it on purpose (``--accept-shrink``, or
``deadletters resolve``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..errors import BadResponseError
from ..stores import Store
from ..table import Table
from .http.response import Response
from .raw import RAW_TABLE, RawResponse, raw_row

SUSPECT_TABLE = Table(
    "fieldhouse_raw_suspect",
    columns={**RAW_TABLE.columns, "records": "bigint", "previous_records": "bigint",
             "previous_captured_at": "timestamptz", "reason": "text", "status": "text",
             "updated_at": "timestamptz"},
    primary_key=list(RAW_TABLE.primary_key),
    version="updated_at",
)
SUSPECT, APPLIED = "suspect", "applied"


@dataclass(frozen=True)
class ShrinkPolicy:
    """``min_fraction``: a response with fewer records than this fraction of the previous
    capture's (or none, where it had some) is suspect; ``accept``: apply it anyway."""

    min_fraction: float = 0.5
    accept: bool = False


_POLICY: ContextVar[ShrinkPolicy | None] = ContextVar("fieldhouse_shrink_policy", default=None)


@contextmanager
def shrink_policy(min_fraction: float = 0.5, *, accept: bool = False) -> Iterator[ShrinkPolicy]:
    """Inside the block, :func:`check_size` uses this policy (``--accept-shrink``: accept)."""
    policy = ShrinkPolicy(min_fraction, accept)
    token = _POLICY.set(policy)
    try:
        yield policy
    finally:
        _POLICY.reset(token)


class SuspectResponseError(BadResponseError):
    """A well-formed response far smaller than the previous capture of the same request.
    It is not applied; :meth:`keep` (called when its dead letter is recorded) stores it in
    ``fieldhouse_raw_suspect`` for inspection, and ``raw_ref`` points there."""

    def __init__(self, raw: RawResponse, records: int, previous: RawResponse, previous_records: int,
                 policy: ShrinkPolicy) -> None:
        self.raw, self.records, self.previous, self.previous_records = raw, records, previous, previous_records
        share = f"under {policy.min_fraction:.0%} of" if records else "none of"
        self.reason = (f"{records:,} records where the previous capture ({previous.captured_at:%Y-%m-%d %H:%M} UTC) "
                       f"had {previous_records:,}: {share} them")
        super().__init__(
            f"{raw.source} {raw.endpoint} {raw.params_text}: suspect response, {self.reason}; not applied, kept in "
            f"{SUSPECT_TABLE.name}; apply it on purpose with --accept-shrink or by resolving its dead letter",
            endpoint=raw.endpoint)

    @property
    def raw_ref(self) -> dict[str, Any]:
        return {"table": SUSPECT_TABLE.name, "source": self.raw.source, "endpoint": self.raw.endpoint,
                "params": self.raw.params_text, "content_hash": self.raw.content_hash}

    def keep(self, store: Store) -> None:
        store.ensure_table(SUSPECT_TABLE)
        store.upsert(SUSPECT_TABLE, [{**raw_row(self.raw), "records": self.records,
                                      "previous_records": self.previous_records,
                                      "previous_captured_at": self.previous.captured_at,
                                      "reason": self.reason, "status": SUSPECT, "updated_at": datetime.now(UTC)}])


def _record_count(source: str, endpoint: str, data: Any) -> int | None:
    from .registry import UnknownSourceError, get

    try:
        found = get(source)
    except UnknownSourceError:
        return None
    return found.record_count(endpoint, data)


def check_size(control: Store, response: Response | RawResponse) -> None:
    """Raise :class:`SuspectResponseError` if ``response`` holds far fewer records than the
    newest capture of the same request in the raw zone of ``control`` (only endpoints its
    source counts; nothing to compare with, the same content, or an accepting policy: no
    check)."""
    raw = response if isinstance(response, RawResponse) else RawResponse.from_response(response)
    policy = _POLICY.get() or ShrinkPolicy()
    if policy.accept or not control.table_exists(RAW_TABLE):
        return
    now = _record_count(raw.source, raw.endpoint, raw.data)
    if now is None:
        return
    request = {"source": raw.source, "endpoint": raw.endpoint, "params": raw.params_text}
    [latest] = control.rows(RAW_TABLE, where=request, order_by="-captured_at", limit=1) or [None]
    if latest is None or latest["content_hash"] == raw.content_hash:
        return
    previous = RawResponse.from_row(latest)
    before = _record_count(previous.source, previous.endpoint, previous.data) or 0
    if before and (now == 0 or now < policy.min_fraction * before):
        raise SuspectResponseError(raw, now, previous, before, policy)


def suspect_response(control: Store, ref: dict[str, Any]) -> RawResponse | None:
    """The kept suspect response a dead letter's ``raw_ref`` points to (None: not one)."""
    if ref.get("table") != SUSPECT_TABLE.name or not control.table_exists(SUSPECT_TABLE):
        return None
    rows = control.rows(SUSPECT_TABLE, where={k: ref[k] for k in ("source", "endpoint", "params", "content_hash")})
    return RawResponse.from_row(rows[0]) if rows else None


def mark_applied(control: Store, raw: RawResponse) -> None:
    rows = control.rows(SUSPECT_TABLE, where={"source": raw.source, "endpoint": raw.endpoint,
                                                    "params": raw.params_text, "content_hash": raw.content_hash})
    control.upsert(SUSPECT_TABLE, [{**r, "status": APPLIED, "updated_at": datetime.now(UTC)} for r in rows])
