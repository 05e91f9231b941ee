"""Is a response body acceptable data?  A validator gets the endpoint name and the parsed
JSON and raises :class:`~fieldhouse.errors.BadResponseError` if not (:func:`bad_shape`).
Each source ships the validators of its own endpoints (a source's ``validate``); here are
the checks every response gets.  The fetcher parses
the JSON first (so a truncated body or HTML error page already fails there) and refuses an
empty object before any validator runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...errors import BadResponseError

Validator = Callable[[str, Any], None]


def parse_json(body: bytes, endpoint: str, allow_empty: bool = False) -> Any:
    """The parsed body, or BadResponseError (not UTF-8, not JSON, truncated, empty; an
    empty ``{}`` / ``[]`` is accepted with ``allow_empty``, for an endpoint where it means
    "nothing changed")."""
    import json

    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadResponseError(f"{endpoint}: the response is not UTF-8 text",
                               endpoint=endpoint) from None
    if not text.strip():
        raise BadResponseError(f"{endpoint}: the response body is empty", endpoint=endpoint)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BadResponseError(
            f"{endpoint}: the response is not valid JSON (truncated or an error page?): {exc}",
            endpoint=endpoint,
        ) from None
    if data in ({}, []) and not allow_empty:
        raise BadResponseError(f"{endpoint}: the response is an empty {json.dumps(data)}",
                               endpoint=endpoint)
    return data


def any_json(endpoint: str, data: Any) -> None:
    """Accept any non-empty JSON (the default)."""


def bad_shape(endpoint: str, why: str) -> BadResponseError:
    """The error a validator raises: the body is JSON, but not the shape ``endpoint`` has."""
    return BadResponseError(f"{endpoint}: unexpected response shape: {why}", endpoint=endpoint)
