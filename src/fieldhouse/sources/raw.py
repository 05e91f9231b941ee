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

The shrink guard (:mod:`fieldhouse.sources.shrink`) checks a response against the newest
capture of the same request before it lands.
"""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time
from typing import Any

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


_UNPARSED = object()


@dataclass(frozen=True)
class RawResponse:
    """One stored response, as replay handlers receive it.

    ``params`` is the canonical parameter dict; ``data`` the parsed JSON body (parsed once:
    a response that was just fetched carries what the fetcher parsed); ``captured_at`` the
    version to give every row derived from it.
    """

    source: str
    endpoint: str
    params: dict[str, str]
    captured_at: datetime
    content_hash: str
    body: bytes
    parsed: Any = field(default=_UNPARSED, repr=False, compare=False)

    @property
    def data(self) -> Any:
        if self.parsed is _UNPARSED:
            object.__setattr__(self, "parsed", json.loads(self.body.decode("utf-8-sig")))
        return self.parsed

    @property
    def params_text(self) -> str:
        return json.dumps(self.params, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def from_response(cls, response: Response) -> RawResponse:
        return cls(response.source, response.endpoint, dict(response.params),
                   response.captured_at, response.content_hash, response.body, response.data)

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


def raw_row(raw: RawResponse) -> dict[str, Any]:
    """The row of ``raw`` in ``fieldhouse_raw`` (its body gzipped and base64-encoded)."""
    return {
        "source": raw.source, "endpoint": raw.endpoint, "params": raw.params_text,
        "content_hash": raw.content_hash, "captured_at": raw.captured_at,
        "size": len(raw.body), "body": encode_body(raw.body),
    }


def land(store: Store, response: Response | RawResponse) -> Landed:
    """Keep ``response`` in ``fieldhouse_raw`` (see the module docstring for the rules).

    No stored body is read: whether this content is held is one primary-key lookup, and
    the newest capture time of the request one more small query."""
    raw = response if isinstance(response, RawResponse) else RawResponse.from_response(response)
    store.ensure_table(RAW_TABLE)
    request = {"source": raw.source, "endpoint": raw.endpoint, "params": raw.params_text}
    key = {**request, "content_hash": raw.content_hash}
    with store.transaction():
        same = store.rows(RAW_TABLE, where=key, columns=["captured_at"])
        if same:
            held = same[0]["captured_at"]
            latest = store.max_value(RAW_TABLE, "captured_at", where=request)
            if held == latest or raw.captured_at <= latest:
                return Landed(replace(raw, captured_at=held), stored=False)
            store.upsert(RAW_TABLE, [raw_row(raw)])  # seen before, then replaced: newest again
            return Landed(raw, stored=True)
        result = store.insert_new(RAW_TABLE, [raw_row(raw)])
        if result.inserted:
            return Landed(raw, stored=True)
        # Another writer stored the same content between our read and our insert.
        [stored] = store.rows(RAW_TABLE, where=key, columns=["captured_at"])
        return Landed(replace(raw, captured_at=stored["captured_at"]), stored=False)


def _since(value: date | datetime | None) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(0), tzinfo=UTC)


#: The order replay applies stored responses in (the last column only breaks ties).
REPLAY_ORDER = ["captured_at", "source", "endpoint", "params", "content_hash"]


def raw_responses(store: Store, *, source: str | None = None, endpoint: str | None = None,
                  since: date | datetime | None = None, batch_size: int = 64) -> Iterator[RawResponse]:
    """Stored responses in ``captured_at`` order (then by request), optionally only those of
    ``source``/``endpoint`` captured at or after ``since`` (a date means 00:00 UTC).

    Streamed: the database orders them and at most ``batch_size`` bodies are held at a
    time, however many are stored."""
    if not store.table_exists(RAW_TABLE):
        return iter(())
    store.ensure_table(RAW_TABLE)
    where: dict[str, Any] = {k: v for k, v in (("source", source), ("endpoint", endpoint)) if v is not None}
    start = _since(since)
    if start is not None:
        where["captured_at"] = (">=", start)
    rows = store.iter_rows(RAW_TABLE, where=where, order_by=REPLAY_ORDER, batch_size=batch_size)
    return (RawResponse.from_row(r) for r in rows)


KEY_COLUMNS = ("source", "endpoint", "params", "content_hash")


def raw_keys(store: Store, *, source: str | None = None,
             since: date | datetime | None = None) -> Iterator[dict[str, Any]]:
    """The keys (no bodies) of the stored responses :func:`raw_responses` would give, in
    the same order (a distributed replay hands them out to workers)."""
    if not store.table_exists(RAW_TABLE):
        return iter(())
    where: dict[str, Any] = {"source": source} if source is not None else {}
    start = _since(since)
    if start is not None:
        where["captured_at"] = (">=", start)
    return store.iter_rows(RAW_TABLE, where=where, columns=list(KEY_COLUMNS), order_by=REPLAY_ORDER)


def raw_by_key(store: Store, key: Mapping[str, Any]) -> RawResponse | None:
    """The stored response of one key (``source, endpoint, params, content_hash``)."""
    rows = store.rows(RAW_TABLE, where={k: key[k] for k in KEY_COLUMNS})
    return RawResponse.from_row(rows[0]) if rows else None


def raw_count(store: Store) -> int:
    return store.count(RAW_TABLE) if store.table_exists(RAW_TABLE) else 0
