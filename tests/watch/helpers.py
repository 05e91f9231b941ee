"""Shared pieces of the watch tests: a fake Stats API serving the real captures of a game
in time order, settings for a watch against it, and the tables to compare."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import fieldhouse
from fieldhouse.sources.http.response import Response, canonical_params
from fieldhouse.sources.mlb import schema
from fieldhouse.sources.mlb.units import write_response
from fieldhouse.stores.roles import Stores

from ..mlb.helpers import FINAL_FEEDS, LIVE_717209, LIVE_746139_NEW, LIVE_746139_OLD, feed, fixture

DIFF_1 = "diffPatch/diffPatch_746139_from-20240612_041248_to-20240612_041302.json"
DIFF_2 = "diffPatch/diffPatch_746139_from-20240612_042717_to-20240612_042758.json"
FEED_PATH = "/api/v1.1/game/{pk}/feed/live"
DIFF_PATH = "/api/v1.1/game/{pk}/feed/live/diffPatch"
#: Columns that say when fieldhouse wrote a row, not what the row holds.
WRITE_TIME = ("captured_at", "_written_at", "written_at", "_rank")


def serve_746139(server: Any) -> None:
    """746139 as the server answers it: the full feed is the 041248 capture (and stays it:
    a lagging cache, so a later full fetch is a late, older capture); a diffPatch from
    041248 is the real patch to 041302; from 041302 the server sends the whole game (the
    042717 capture); from 042717 the real patch to 042758; from 042758 nothing changed."""
    pk = 746139
    server.replace(FEED_PATH.format(pk=pk), feed(LIVE_746139_OLD))
    server.replace(DIFF_PATH.format(pk=pk), fixture(DIFF_1), {"startTimecode": "20240612_041248"})
    server.replace(DIFF_PATH.format(pk=pk), feed(LIVE_746139_NEW), {"startTimecode": "20240612_041302"})
    server.replace(DIFF_PATH.format(pk=pk), fixture(DIFF_2), {"startTimecode": "20240612_042717"})
    server.replace(DIFF_PATH.format(pk=pk), [], {"startTimecode": "20240612_042758"})


def serve_717209(server: Any, final: bool = False) -> None:
    """717209: the Live 010847 capture as its full feed (the Final one once ``final``); a
    diffPatch from 010847 answers the whole Final game."""
    pk = 717209
    server.replace(FEED_PATH.format(pk=pk), feed(FINAL_FEEDS[pk] if final else LIVE_717209))
    server.replace(DIFF_PATH.format(pk=pk), feed(FINAL_FEEDS[pk]), {"startTimecode": "20230730_010847"})


def final_746139() -> dict[str, Any]:
    """The state 746139's captures and patches end in (042758)."""
    from fieldhouse.sources.mlb.patch import apply_diff_patch

    return apply_diff_patch(feed(LIVE_746139_NEW), fixture(DIFF_2), 746139)


def settings_for(db_url: str, server: Any, min_interval: float = 0.0, **watch: Any) -> fieldhouse.Settings:
    values = {"watch_floor": 5.0, "watch_jitter": 0.0, "watch_full_every": 100, "run_lock_wait": 0.0,
              "run_heartbeat_interval": 60.0, **watch}
    return fieldhouse.Settings(database_url=db_url, http_max_attempts=1,
                               mlb={"base_url": server.url("/api"), "min_interval": min_interval, "jitter": 0.0},
                               **values)


def load_alone(url: str, *states: dict[str, Any]) -> None:
    """Each state written alone, as ``sync mlb`` would write that capture."""
    with fieldhouse.connect(url) as store:
        for data in states:
            body = json.dumps(data).encode()
            response = Response("mlb", "feed/live", canonical_params({"gamePk": data["gamePk"]}), body, data,
                                datetime(2030, 1, 1, tzinfo=UTC))
            write_response(Stores.of(store), response)


def tables(url: str) -> dict[str, list[dict[str, Any]]]:
    """Every MLB table's rows, without the columns that only say when they were written."""
    with fieldhouse.connect(url) as store:
        out = {}
        for name, table in schema.tables().items():
            if store.table_exists(table):
                out[name] = [{k: v for k, v in row.items() if k not in WRITE_TIME} for row in store.rows(table)]
        return out
