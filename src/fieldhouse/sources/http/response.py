"""What a fetch returns, and the canonical form of request parameters."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cached_property
from typing import Any

Params = Mapping[str, Any] | Iterable[tuple[str, Any]]


def canonical_params(params: Params | None) -> dict[str, str]:
    """Parameters as sent: names sorted, values as text, ``None`` left out (requests drops
    them from the query string too).  Two calls that send the same query get equal dicts."""
    items = params.items() if isinstance(params, Mapping) else (params or [])
    out: dict[str, str] = {}
    for key, value in items:
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        out[str(key)] = str(value)
    return dict(sorted(out.items()))


def params_text(params: Params | None) -> str:
    """The canonical parameters as sorted, compact JSON text (the raw zone's key)."""
    return json.dumps(canonical_params(params), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False)


def content_hash(body: bytes) -> str:
    """SHA-256 of the body bytes as received."""
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Response:
    """An accepted response: the body passed JSON parsing and the endpoint's validator.

    ``captured_at`` is when it was received (UTC); after :func:`fieldhouse.sources.raw.land`
    it is the time this same content was first captured, so re-syncing unchanged data gives
    unchanged rows downstream.  ``params`` are canonical (see :func:`canonical_params`).
    ``derived`` marks an answer computed from a stored response rather than received (e.g.
    an offline date window): it is mapped like any, but never landed in the raw zone.
    """

    source: str
    endpoint: str
    params: dict[str, str]
    body: bytes
    data: Any = field(repr=False, compare=False)
    captured_at: datetime
    url: str = ""
    status: int = 200
    attempts: int = 1
    from_archive: bool = False
    derived: bool = False

    @property
    def params_text(self) -> str:
        return params_text(self.params)

    @cached_property
    def content_hash(self) -> str:
        return content_hash(self.body)

    def with_captured_at(self, captured_at: datetime) -> Response:
        return replace(self, captured_at=captured_at)
