"""The raw landing zone: every accepted response, kept once, so tables can be rebuilt
without calling the API again (``fieldhouse replay``) and moved between machines
(``fieldhouse archive``).

``fieldhouse_raw`` is an ordinary :class:`~fieldhouse.Table` written through the store API:
one row per distinct content of a request, keyed by (source, endpoint, params,
content_hash); ``params`` is the canonical parameters as sorted JSON text, ``body`` the
response body gzipped and base64-encoded, ``captured_at`` the UTC time it was received.

:func:`land` keeps a response:

* the same content as the newest version of that request: nothing is written, and the
  ``captured_at`` of that first capture is returned, so rows derived from it again carry
  the same version and come out *unchanged* downstream;
* new content: a new version, stamped with the time it was received;
* content that was seen before but is not the newest (A, then B, then A again): that
  version's ``captured_at`` moves forward to now, so it is the newest again and replay
  applies it last (its first capture time is not kept).

A response received earlier but landed later (an overlapping run) keeps its own receive
time, so it never becomes the newest version by arriving late.

The shrink guard (:func:`check_size`, run by ``ingest`` before landing): a source registers
a record counter per endpoint (:func:`register_counter`); a response holding no records
where the newest capture of the same request had some, or fewer than a fraction of them
(``FIELDHOUSE_SHRINK_MIN_FRACTION``, default 0.5), is suspect: it is neither landed nor
mapped, its unit fails, and the body is kept in ``fieldhouse_raw_suspect`` (the dead
letter's ``raw_ref`` points to it) until a user applies it on purpose.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import cached_property
from typing import Any

from ..errors import BadResponseError
from ..stores import Store
from ..table import Table
from .http.response import Response

RAW_TABLE = Table(
    "fieldhouse_raw",
    columns={
        "source": "text",
        "endpoint": "text",
        "params": "text",
        "content_hash": "text",
        "captured_at": "timestamptz",
        "size": "bigint",
        "body": "text not null",
    },
    primary_key=["source", "endpoint", "params", "content_hash"],
    version="captured_at",
)


def encode_body(body: bytes) -> str:
    """gzip (deterministic: no timestamp in the header) then base64 text."""
    return base64.b64encode(gzip.compress(body, compresslevel=6, mtime=0)).decode("ascii")


def decode_body(text: str) -> bytes:
    return gzip.decompress(base64.b64decode(text))


@dataclass(frozen=True)
class RawResponse:
    """One stored response, as replay handlers receive it.

    ``params`` is the canonical parameter dict; ``data`` the parsed JSON body;
    ``captured_at`` the version to give every row derived from it.
    """

    source: str
    endpoint: str
    params: dict[str, str]
    captured_at: datetime
    content_hash: str
    body: bytes

    @cached_property
    def data(self) -> Any:
        return json.loads(self.body.decode("utf-8-sig"))

    @property
    def params_text(self) -> str:
        return json.dumps(self.params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_response(cls, response: Response) -> RawResponse:
        return cls(response.source, response.endpoint, dict(response.params),
                   response.captured_at, response.content_hash, response.body)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> RawResponse:
        return cls(row["source"], row["endpoint"], json.loads(row["params"]), row["captured_at"],
                   row["content_hash"], decode_body(row["body"]))


@dataclass(frozen=True)
class Landed:
    """What :func:`land` did: ``stored`` is False for content already held as the newest
    version; ``captured_at`` is the version to use downstream."""

    response: RawResponse
    stored: bool

    @property
    def captured_at(self) -> datetime:
        return self.response.captured_at


def _row(raw: RawResponse) -> dict[str, Any]:
    return {
        "source": raw.source, "endpoint": raw.endpoint, "params": raw.params_text,
        "content_hash": raw.content_hash, "captured_at": raw.captured_at,
        "size": len(raw.body), "body": encode_body(raw.body),
    }


def land(store: Store, response: Response | RawResponse) -> Landed:
    """Keep ``response`` in ``fieldhouse_raw`` (see the module docstring for the rules)."""
    raw = response if isinstance(response, RawResponse) else RawResponse.from_response(response)
    store.ensure_table(RAW_TABLE)
    request = {"source": raw.source, "endpoint": raw.endpoint, "params": raw.params_text}
    with store.transaction():
        history = store.rows(RAW_TABLE, where=request)
        latest = max(history, key=lambda r: r["captured_at"], default=None)
        same = next((r for r in history if r["content_hash"] == raw.content_hash), None)
        if same is not None:
            if same is latest or raw.captured_at <= latest["captured_at"]:
                return Landed(RawResponse.from_row(same), stored=False)
            store.upsert(RAW_TABLE, [_row(raw)])  # seen before, then replaced: newest again
            return Landed(raw, stored=True)
        result = store.insert_new(RAW_TABLE, [_row(raw)])
        if result.inserted:
            return Landed(raw, stored=True)
        # Another writer stored the same content between our read and our insert.
        stored = store.rows(RAW_TABLE, where={**request, "content_hash": raw.content_hash})
        return Landed(RawResponse.from_row(stored[0]), stored=False)


def _since(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(0), tzinfo=UTC)


def raw_responses(store: Store, *, source: str | None = None, endpoint: str | None = None,
                  since: date | datetime | None = None) -> Iterator[RawResponse]:
    """Stored responses in ``captured_at`` order (then by request), optionally only those of
    ``source``/``endpoint`` captured at or after ``since`` (a date means 00:00 UTC)."""
    if not store.table_exists(RAW_TABLE):
        return iter(())
    store.ensure_table(RAW_TABLE)
    where = {k: v for k, v in (("source", source), ("endpoint", endpoint)) if v is not None}
    rows = store.rows(RAW_TABLE, where=where)
    start = _since(since)
    if start is not None:
        rows = [r for r in rows if r["captured_at"] >= start]
    rows.sort(key=lambda r: (r["captured_at"], r["source"], r["endpoint"], r["params"]))
    return (RawResponse.from_row(r) for r in rows)


def raw_count(store: Store) -> int:
    return store.count(RAW_TABLE) if store.table_exists(RAW_TABLE) else 0


# -- the shrink guard: a response far smaller than the previous capture is suspect ---------

#: A source's counter of the records a body holds, per endpoint (``data -> int``).
RecordCounter = Callable[[Any], int]
_COUNTERS: dict[tuple[str, str], RecordCounter] = {}

SUSPECT_TABLE = Table(
    "fieldhouse_raw_suspect",
    columns={**RAW_TABLE.columns, "records": "bigint", "previous_records": "bigint",
             "previous_captured_at": "timestamptz", "reason": "text", "status": "text",
             "updated_at": "timestamptz"},
    primary_key=list(RAW_TABLE.primary_key),
    version="updated_at",
)
SUSPECT, APPLIED = "suspect", "applied"


def register_counter(source: str, endpoint: str, counter: RecordCounter) -> None:
    """Declare how many records a body of ``source``/``endpoint`` holds: its responses are
    then checked against the previous capture of the same request (:func:`check_size`)."""
    _COUNTERS[(source, endpoint)] = counter


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
    token = _POLICY.set(ShrinkPolicy(min_fraction, accept))
    try:
        yield ShrinkPolicy(min_fraction, accept)
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
        store.upsert(SUSPECT_TABLE, [{**_row(self.raw), "records": self.records,
                                      "previous_records": self.previous_records,
                                      "previous_captured_at": self.previous.captured_at,
                                      "reason": self.reason, "status": SUSPECT, "updated_at": datetime.now(UTC)}])


def check_size(store: Store, response: Response | RawResponse) -> None:
    """Raise :class:`SuspectResponseError` if ``response`` holds far fewer records than the
    newest stored capture of the same request (endpoints with a registered counter only;
    nothing to compare with, the same content, or an accepting policy: no check)."""
    raw = response if isinstance(response, RawResponse) else RawResponse.from_response(response)
    counter, policy = _COUNTERS.get((raw.source, raw.endpoint)), _POLICY.get() or ShrinkPolicy()
    if counter is None or policy.accept or not store.table_exists(RAW_TABLE):
        return
    store.ensure_table(RAW_TABLE)
    history = store.rows(RAW_TABLE, where={"source": raw.source, "endpoint": raw.endpoint, "params": raw.params_text})
    latest = max(history, key=lambda r: r["captured_at"], default=None)
    if latest is None or latest["content_hash"] == raw.content_hash:
        return
    previous = RawResponse.from_row(latest)
    before, now = counter(previous.data), counter(raw.data)
    if before and (now == 0 or now < policy.min_fraction * before):
        raise SuspectResponseError(raw, now, previous, before, policy)


def suspect_response(store: Store, ref: dict[str, Any]) -> RawResponse | None:
    """The kept suspect response a dead letter's ``raw_ref`` points to (None: not one)."""
    if ref.get("table") != SUSPECT_TABLE.name or not store.table_exists(SUSPECT_TABLE):
        return None
    rows = store.rows(SUSPECT_TABLE, where={k: ref[k] for k in ("source", "endpoint", "params", "content_hash")})
    return RawResponse.from_row(rows[0]) if rows else None


def mark_applied(store: Store, raw: RawResponse) -> None:
    rows = store.rows(SUSPECT_TABLE, where={"source": raw.source, "endpoint": raw.endpoint,
                                            "params": raw.params_text, "content_hash": raw.content_hash})
    store.upsert(SUSPECT_TABLE, [{**r, "status": APPLIED, "updated_at": datetime.now(UTC)} for r in rows])
