"""Is a statsapi.mlb.com body acceptable data?  (The fetcher already refused bodies that are
not JSON, empty or ``{}``.)  The checks moved here from the shared HTTP layer; the MLB
source registers them as its validator."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..http.validate import bad_shape as _bad

MLB_REQUIRED: dict[str, str] = {
    "schedule": "dates",
    "feed/live": "gameData",
    "boxscore": "teams",
    "teams": "teams",
    "people": "people",
    "seasons": "seasons",
    "roster": "roster",
}


def mlb_stats(endpoint: str, data: Any) -> None:
    """statsapi.mlb.com: an object; for known endpoints (matched by the end of the path,
    ``schedule``, ``feed/live``, ``boxscore``, ...) the key that carries the data."""
    if not isinstance(data, Mapping):
        raise _bad(endpoint, f"a {type(data).__name__}, not an object")
    path = endpoint.strip("/")
    for suffix, key in MLB_REQUIRED.items():
        if path == suffix or path.endswith("/" + suffix) or path.rsplit("/", 1)[-1] == suffix:
            if key not in data:
                raise _bad(endpoint, f"no {key!r}")
            return
