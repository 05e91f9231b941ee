"""Shared test helpers: fetch through nba_api + fake server, and drop a table."""

from __future__ import annotations

import json

from nba_api.stats.endpoints import leaguegamelog

import fieldhouse
from fieldhouse.sources.http import Response
from fieldhouse.table import Table
from fieldhouse.testing import FakeStatsServer


def fetch_log(client, season_type: str = "Playoffs") -> Response:
    return client.call(leaguegamelog.LeagueGameLog, season="2018-19",
                       season_type_all_star=season_type).response


def correct_first_game(server: FakeStatsServer, extra_pts: int = 1) -> None:
    """Serve a corrected playoffs log: the first row's PTS changes (a stats correction)."""
    route = next(r for r in server.routes if r.match.get("SeasonType") == "Playoffs")
    data = json.loads(route.body)
    result = data["resultSets"][0]
    pts = result["headers"].index("PTS")
    result["rowSet"][0][pts] += extra_pts
    route.body = json.dumps(data).encode()


def drop_table(url: str, table: Table) -> None:
    """Drop ``table`` through the store's own connection (test-only DDL)."""
    with fieldhouse.connect(url) as store, store.transaction():
        name = f'"{table.schema}"."{table.base_name}"' if store.dialect == "postgresql" and table.schema \
            else f'"{table.name.replace(".", "_")}"'
        store.conn.execute(f"DROP TABLE {name}")
