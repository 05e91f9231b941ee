"""How stored NBA responses become rows: one handler per endpoint, used online (ingest)
and offline (``fieldhouse replay``).  Every row carries the response's ``captured_at``."""

from __future__ import annotations

from typing import Any

from ...mapping import Record, apply_mapping, write_applied
from ...mapping.quarantine import QUARANTINE
from ...stores import Store, UpsertResult
from ..raw import RawResponse
from ..replay import register
from .schema import mapping, tables


def write_mapped(store: Store, mapping_name: str, raw: RawResponse, data: Any = None) -> dict[str, UpsertResult]:
    """Apply a shipped mapping to one response (or to ``data`` derived from it) and write
    it, rejects quarantined."""
    origin = f"{raw.source} {raw.endpoint} {raw.params_text}"
    record = Record(raw.data if data is None else data, origin)
    applied = apply_mapping(mapping(mapping_name), [record], raw.captured_at)
    loaded = write_applied(store, applied, raw.captured_at)
    results = dict(loaded.tables)
    if loaded.quarantine.total:
        results[QUARANTINE.name] = loaded.quarantine
    return results


@register("nba", "leaguegamelog")
def league_game_log(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    """Team mode (T) gives games and team box scores; player mode (P) player box scores."""
    mode = str(raw.params.get("PlayerOrTeam", "T")).upper()
    if mode == "P":
        return write_mapped(store, "leaguegamelog_player", raw)
    return write_mapped(store, "leaguegamelog_team", raw)


@register("nba", "commonallplayers")
def common_all_players(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    """The player list; an active player missing from it becomes inactive (never deleted).

    The deactivation carries the list's ``captured_at``, so an older list replayed after a
    newer one cannot deactivate anyone the newer list has."""
    results = write_mapped(store, "commonallplayers", raw)
    players = tables()["nba.players"]
    listed = {int(r[0]) for r in _result_rows(raw.data)}
    dropped = [
        {**row, "is_active": False, "captured_at": raw.captured_at}
        for row in store.rows(players, where={"is_active": True})
        if row["player_id"] not in listed and row["captured_at"] < raw.captured_at
    ]
    if dropped:
        results[players.name] += store.upsert(players, dropped)
    return results


@register("nba", "scoreboardv2")
def scoreboard(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    """Games that are not final yet (status ``scheduled`` or ``in_progress``)."""
    return write_mapped(store, "scoreboardv2", raw)


def _result_rows(data: dict) -> list[list]:
    sets = data.get("resultSets") or data.get("resultSet") or []
    if isinstance(sets, dict):
        sets = [sets]
    return sets[0]["rowSet"] if sets else []
