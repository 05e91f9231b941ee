"""Is a stats.nba.com body acceptable data?  (The fetcher already refused bodies that are
not JSON, empty or ``{}``.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..http.validate import bad_shape as _bad

# v3 endpoints answer {"meta": {...}, "<payload>": {...}} instead of result sets.  For the
# ones we know, the payload key and a list it must hold; other v3 endpoints need ``meta``
# and at least one non-empty object beside it.
NBA_V3_PAYLOADS: dict[str, tuple[str, str | None]] = {
    "scoreboardv3": ("scoreboard", "games"),
    "playbyplayv3": ("game", "actions"),
    "boxscoretraditionalv3": ("boxScoreTraditional", None),
    "boxscoreadvancedv3": ("boxScoreAdvanced", None),
    "boxscoresummaryv3": ("boxScoreSummary", None),
}


def _width(headers: list[Any], name: str, endpoint: str) -> int:
    """How many values a row must have for these headers (flat or multi-level)."""
    if all(isinstance(h, str) for h in headers):
        return len(headers)
    if all(isinstance(h, Mapping) for h in headers):
        last = headers[-1]  # multi-level headers: the last level names every column
        names = last.get("columnNames")
        if not isinstance(names, list):
            raise _bad(endpoint, f"result set {name!r} has multi-level headers without columnNames")
        return int(last.get("columnsToSkip", 0)) + len(names) * int(last.get("columnSpan", 1))
    raise _bad(endpoint, f"result set {name!r} has headers that are neither names nor levels")


def _check_result_set(result: Any, endpoint: str, index: int) -> None:
    if not isinstance(result, Mapping):
        raise _bad(endpoint, f"result set #{index} is not an object")
    name = result.get("name", f"#{index}")
    headers, rows = result.get("headers"), result.get("rowSet")
    if not isinstance(headers, list):
        raise _bad(endpoint, f"result set {name!r} has no headers list")
    if not isinstance(rows, list):
        raise _bad(endpoint, f"result set {name!r} has no rowSet list")
    width = _width(headers, name, endpoint)
    for n, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != width:
            got = len(row) if isinstance(row, list) else type(row).__name__
            raise _bad(endpoint, f"result set {name!r} row {n} has {got} values for {width} headers")


def nba_stats(endpoint: str, data: Any) -> None:
    """stats.nba.com: ``resultSets`` (or ``resultSet``) of ``headers`` + ``rowSet`` with rows as
    wide as the headers; v3 endpoints: ``meta`` plus their payload object."""
    if not isinstance(data, Mapping):
        raise _bad(endpoint, f"a {type(data).__name__}, not an object")
    if "resultSets" in data or "resultSet" in data:
        results = data.get("resultSets", data.get("resultSet"))
        if isinstance(results, Mapping):
            results = [results]
        if not isinstance(results, list) or not results:
            raise _bad(endpoint, "resultSets is empty or not a list")
        for i, result in enumerate(results):
            _check_result_set(result, endpoint, i)
        return
    if "meta" in data:
        key, listed = NBA_V3_PAYLOADS.get(endpoint.lower(), (None, None))
        if key is None:
            if not any(isinstance(v, Mapping) and v for k, v in data.items() if k != "meta"):
                raise _bad(endpoint, "a v3 response without a payload object beside meta")
            return
        payload = data.get(key)
        if not isinstance(payload, Mapping) or not payload:
            raise _bad(endpoint, f"no {key!r} object")
        if listed is not None and not isinstance(payload.get(listed), list):
            raise _bad(endpoint, f"{key}.{listed} is not a list")
        return
    shown = ", ".join(sorted(map(str, data))[:5])
    raise _bad(endpoint, f"neither resultSets nor a v3 payload (keys: {shown})")


