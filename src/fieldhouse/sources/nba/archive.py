"""Reading NBA responses from an archive exactly as online, incremental requests included.

The stats API filters ``leaguegamelog`` by ``DateFrom``/``DateTo``.  An archive holds the
responses that were fetched; when it holds no response for a request with a date window,
this fetcher answers it the way the API would: from the newest capture of the same
request without the window, keeping only the rows whose ``GAME_DATE`` falls inside it.
The answer keeps that capture's ``captured_at`` and is marked ``derived``: the raw zone
never stores it (it holds only what a server sent), so ``archive export`` never ships it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from ...errors import ArchiveMissError
from ..archive import ArchiveFetcher
from ..http.response import Params, Response, canonical_params

WINDOWED = {"leaguegamelog": "GAME_DATE"}


def _parse_api_date(text: str | None) -> date | None:
    if not text:
        return None
    for fmt in ("%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


class NBAArchiveFetcher(ArchiveFetcher):
    def get(self, endpoint: str, params: Params | None = None, *, url: str | None = None,
            headers: Mapping[str, str] | None = None) -> Response:
        try:
            return super().get(endpoint, params, url=url, headers=headers)
        except ArchiveMissError:
            query = canonical_params(params)
            date_from, date_to = _parse_api_date(query.get("DateFrom")), _parse_api_date(query.get("DateTo"))
            if endpoint not in WINDOWED or (date_from is None and date_to is None):
                raise
            whole = super().get(endpoint, {**query, "DateFrom": "", "DateTo": ""}, url=url, headers=headers)
        data = _window(whole.data, WINDOWED[endpoint], date_from, date_to)
        body = json.dumps(data).encode()
        return Response(source=self.source, endpoint=endpoint, params=query, body=body, data=data,
                        captured_at=whole.captured_at, url=whole.url, status=200, attempts=1,
                        from_archive=True, derived=True)


def _window(data: dict[str, Any], date_header: str, first: date | None, last: date | None) -> dict[str, Any]:
    out = dict(data)
    sets = []
    for result in data.get("resultSets", []):
        headers = result["headers"]
        at = headers.index(date_header) if date_header in headers else None
        rows = result["rowSet"]
        if at is not None:
            rows = [r for r in rows if _inside(str(r[at])[:10], first, last)]
        sets.append({**result, "rowSet": rows})
    out["resultSets"] = sets
    out["parameters"] = {**data.get("parameters", {}),
                         "DateFrom": first.strftime("%m/%d/%Y") if first else "",
                         "DateTo": last.strftime("%m/%d/%Y") if last else ""}
    return out


def _inside(day_text: str, first: date | None, last: date | None) -> bool:
    day = date.fromisoformat(day_text)
    return (first is None or day >= first) and (last is None or day <= last)
