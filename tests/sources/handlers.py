"""A replay handler the tests register: NBA leaguegamelog (team mode) rows -> a table.
It follows the handler contract: reads only the raw response, versions rows by its
captured_at, returns {table name: UpsertResult}."""

from __future__ import annotations

from fieldhouse import Table, UpsertResult
from fieldhouse.sources.raw import RawResponse

TEAM_GAMES = Table(
    "replay_team_games",
    columns={
        "game_id": "text", "team_id": "bigint", "season_id": "text", "game_date": "date",
        "matchup": "text", "wl": "text", "pts": "int", "plus_minus": "int",
        "captured_at": "timestamptz",
    },
    primary_key=["game_id", "team_id"],
    version="captured_at",
)


def team_game_rows(raw: RawResponse) -> list[dict]:
    result = raw.data["resultSets"][0]
    headers = [h.lower() for h in result["headers"]]
    rows = []
    for values in result["rowSet"]:
        record = dict(zip(headers, values, strict=True))
        rows.append({c: record.get(c) for c in TEAM_GAMES.column_names if c != "captured_at"}
                    | {"captured_at": raw.captured_at})
    return rows


def league_game_log(store, raw: RawResponse) -> dict[str, UpsertResult]:
    store.ensure_table(TEAM_GAMES)
    return {TEAM_GAMES.name: store.upsert(TEAM_GAMES, team_game_rows(raw))}
