"""How stored NBA responses become rows: one handler per endpoint, used online (ingest)
and offline (``fieldhouse replay``).  Every row carries the response's ``captured_at``."""

from __future__ import annotations

from typing import Any

from ...mapping import Record, apply_mapping, write_applied
from ...mapping.quarantine import QUARANTINE
from ...stores import Store, UpsertResult
from ..raw import RawResponse
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


def league_game_log(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    """Team mode (T) gives games and team box scores; player mode (P) player box scores."""
    mode = str(raw.params.get("PlayerOrTeam", "T")).upper()
    if mode == "P":
        return write_mapped(store, "leaguegamelog_player", raw)
    return write_mapped(store, "leaguegamelog_team", raw)


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


def scoreboard(store: Store, raw: RawResponse) -> dict[str, UpsertResult]:
    """Games that are not final yet (status ``scheduled`` or ``in_progress``)."""
    return write_mapped(store, "scoreboardv2", raw)


def _result_rows(data: dict) -> list[list]:
    sets = data.get("resultSets") or data.get("resultSet") or []
    if isinstance(sets, dict):
        sets = [sets]
    return sets[0]["rowSet"] if sets else []


#: The handler of each NBA endpoint whose responses become rows (the source's ``handlers()``).
HANDLERS = {
    "leaguegamelog": league_game_log,
    "commonallplayers": common_all_players,
    "scoreboardv2": scoreboard,
}


def first_result_rows(data: Any) -> int:
    """The records of a stats response: the rows of its first result set."""
    sets = data.get("resultSets", data.get("resultSet")) if isinstance(data, dict) else None
    if isinstance(sets, dict):
        sets = [sets]
    return len(sets[0].get("rowSet") or []) if sets else 0


#: The all-time player list and a season's game log only grow: a much smaller answer to the
#: same request is suspect (the shrink guard, docs/fetching.md; the source's ``record_count``).
GROWING = frozenset({"commonallplayers", "leaguegamelog"})
