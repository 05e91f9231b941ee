"""Serving recorded MLB responses from the fake server (``fieldhouse.testing.FakeStatsServer``)
where the Stats API answers them, for tests and experiments without the network::

    from fieldhouse.sources.mlb.fakeroutes import serve_folder, serve_recorded
    serve_recorded(server, "feed_717209_20240529_231528.json.gz")
    serve_folder(server, "/work/shared/fixtures/mlb")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .files import Recorded, read_file

#: Files whose names say they were altered are not served by :func:`serve_folder`.
ALTERED = ("_EDITED", "_TRIMMED")


def route_of(kind: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """(path under the prefix, query to match) of a recorded MLB response."""
    pk = params.get("gamePk")
    game = {"feed": "/v1.1/game/{pk}/feed/live", "boxscore": "/v1/game/{pk}/boxscore",
            "linescore": "/v1/game/{pk}/linescore", "play_by_play": "/v1/game/{pk}/playByPlay"}
    if kind in game:
        return (game[kind].format(pk=pk), {}) if pk is not None else None
    if kind == "schedule":
        first = params.get("startDate") or params.get("date")
        last = params.get("endDate") or params.get("date")
        return ("/v1/schedule", {"startDate": first, "endDate": last}) if first and last else None
    if kind == "teams" and params.get("season"):
        return "/v1/teams", {"season": params["season"]}
    if kind == "people" and params.get("personIds"):
        return "/v1/people", {"personIds": params["personIds"]}
    if kind == "seasons" and params.get("seasonId"):
        return f"/v1/seasons/{params['seasonId']}", {}
    return None


def serve_recorded(server: Any, file: str | Path, prefix: str = "/api") -> Any:
    """Serve one recorded MLB response (plain, gzipped or an envelope) where the Stats API
    answers it under ``prefix``, matched by the query the file records: a feed at
    ``/v1.1/game/{gamePk}/feed/live``; a schedule at ``/v1/schedule`` for
    ``startDate``/``endDate`` = its first and last date; teams by ``season``; people by
    ``personIds``; seasons at ``/v1/seasons/{seasonId}``; box score, line score and
    playByPlay under ``/v1/game/{gamePk}/``.  It replaces a route of the same request
    (serve an older capture, then a newer one).  None: the file is not usable."""
    found = read_file(file)
    if not isinstance(found, Recorded):
        return None
    where = route_of(found.kind, found.params)
    if where is None:
        return None
    body = json.dumps(found.data, ensure_ascii=False).encode()
    return server.replace(prefix.rstrip("/") + where[0], body, where[1])


def serve_folder(server: Any, folder: str | Path, prefix: str = "/api") -> list[Any]:
    """:func:`serve_recorded` for every file under ``folder`` (name order; files whose names
    say they were altered, ``_EDITED`` / ``_TRIMMED``, are left out)."""
    routes = []
    for file in sorted(Path(folder).rglob("*")):
        if file.is_file() and not any(tag in file.name for tag in ALTERED):
            route = serve_recorded(server, file, prefix)
            if route is not None:
                routes.append(route)
    return routes
