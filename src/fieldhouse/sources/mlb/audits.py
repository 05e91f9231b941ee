"""Audits of the MLB tables (see :mod:`fieldhouse.sources.audits`).

``audits_for(dates=None, games=None, season=None)`` returns the checks, each a callable
``audit(store)``; with a scope they look at those games only (``dates``: official dates,
and schedule dates for the schedule check).  The audits of one list share one pass over
the games: each game's rows are read once (``store.rows(table, where={"game_pk": ...})``)
and only the failures are kept, so memory does not grow with the number of games.

Per final game (status ``final``: Final and Game Over): the line score adds up to the
score, hits and errors; the last play's score is the final score; the batters' runs and
hits are their team's; the pitchers' runs allowed are the opponent's runs; at-bat indexes
run 0..n-1 and pitch numbers 1..k in each play; no pitch starts with more than 3 balls or
2 strikes; each team has 9 batters and a pitcher.  Per game: every player id in plays,
pitches, runners (and their credits), batting and pitching is in mlb.players.  Per date:
every game the schedule shows final has a final mlb.games row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from ...stores import Store
from ...table import Table
from ..audits import Audit, AuditResult, verdict

FINAL = "final"
SIDES = ("away", "home")
#: Where player ids are: table -> its player-id columns.
PLAYER_COLUMNS = {
    "mlb.plays": ("batter_id", "pitcher_id"),
    "mlb.pitches": ("batter_id", "pitcher_id"),
    "mlb.runners": ("runner_id", "responsible_pitcher_id"),
    "mlb.runner_credits": ("player_id",),
    "mlb.batting": ("player_id",),
    "mlb.pitching": ("player_id",),
}


def _tables() -> dict[str, Table]:
    from .schema import TABLES

    return TABLES


def _read(store: Store, table: Table, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return store.rows(table, where=where) if store.table_exists(table) else []


class _Pass:
    """One read of the games in scope; ``bad[check]`` lists what each check found wrong,
    ``checked[check]`` how many games (or listings) it looked at."""

    def __init__(self, store: Store, dates: set[date] | None, games: set[int] | None, season: str | None) -> None:
        t = _tables()
        self.t = t
        everything = _read(store, t["mlb.games"])
        self.games = {g["game_pk"]: g for g in everything}
        scope = [g for g in everything
                 if (dates is None or g["official_date"] in dates)
                 and (games is None or g["game_pk"] in games)
                 and (season is None or g["season"] == season)]
        self.player_ids = {p["player_id"] for p in _read(store, t["mlb.players"])}
        self.bad: dict[str, list[str]] = defaultdict(list)
        self.checked: dict[str, int] = defaultdict(int)
        for game in sorted(scope, key=lambda g: g["game_pk"]):
            rows = {name: _read(store, t[name], {"game_pk": game["game_pk"]})
                    for name in ("mlb.linescore", "mlb.plays", "mlb.pitches", "mlb.runners",
                                 "mlb.runner_credits", "mlb.batting", "mlb.pitching")}
            self._players(game, rows)
            if game["status"] == FINAL:
                for check in FINAL_CHECKS:
                    self.checked[check.__name__] += 1
                    self.bad[check.__name__].extend(check(game, rows))
        self._schedule(store, dates, games, season)

    def _players(self, game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> None:
        self.checked["players_are_known"] += 1
        missing: dict[int, set[str]] = defaultdict(set)
        for name, columns in PLAYER_COLUMNS.items():
            for row in rows[name]:
                for column in columns:
                    pid = row[column]
                    if pid is not None and pid not in self.player_ids:
                        missing[pid].add(f"{name}.{column}")
        self.bad["players_are_known"].extend(
            f"{game['game_pk']}: player {pid} ({', '.join(sorted(where))}) is not in mlb.players"
            for pid, where in sorted(missing.items()))

    def _schedule(self, store: Store, dates: set[date] | None, games: set[int] | None, season: str | None) -> None:
        for listing in _read(store, self.t["mlb.schedule"], {"status": FINAL}):
            if ((dates is not None and listing["schedule_date"] not in dates)
                    or (games is not None and listing["game_pk"] not in games)
                    or (season is not None and listing["season"] != season)):
                continue
            self.checked["schedule_finals_have_games"] += 1
            game = self.games.get(listing["game_pk"])
            if game is None or game["status"] != FINAL:
                state = "no mlb.games row" if game is None else f"mlb.games says {game['status']}"
                self.bad["schedule_finals_have_games"].append(
                    f"{listing['game_pk']} (final on the schedule of {listing['schedule_date']}, {state})")



def _score(game: dict[str, Any], side: str) -> Any:
    return game[f"{side}_score"]


def linescore_adds_up(game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    out = []
    for side in SIDES:
        innings = [r for r in rows["mlb.linescore"] if r["side"] == side]
        for column, total in (("runs", _score(game, side)), ("hits", game[f"{side}_hits"]),
                              ("errors", game[f"{side}_errors"])):
            summed = sum(r[column] or 0 for r in innings)
            if total is None or summed != total:
                out.append(f"{game['game_pk']} {side}: {column} {summed} by inning, {total} in total")
    return out


def last_play_is_final_score(game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    if not rows["mlb.plays"]:
        return [f"{game['game_pk']}: no plays"]
    last = max(rows["mlb.plays"], key=lambda r: r["at_bat_index"])
    got, want = (last["away_score"], last["home_score"]), (game["away_score"], game["home_score"])
    if got != want:
        return [f"{game['game_pk']}: last play ({last['at_bat_index']}) ends {got[0]}-{got[1]}, "
                f"the final score is {want[0]}-{want[1]} (away-home)"]
    return []


def batting_matches_team(game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    out = []
    for side in SIDES:
        lines = [r for r in rows["mlb.batting"] if r["side"] == side]
        for column, total in (("runs", _score(game, side)), ("hits", game[f"{side}_hits"])):
            summed = sum(r[column] or 0 for r in lines)
            if summed != total:
                out.append(f"{game['game_pk']} {side}: batters' {column} {summed}, the team's {total}")
    return out


def pitching_matches_opponent(game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    out = []
    for side, opponent in (("away", "home"), ("home", "away")):
        allowed = sum(r["runs"] or 0 for r in rows["mlb.pitching"] if r["side"] == side)
        if allowed != _score(game, opponent):
            out.append(f"{game['game_pk']} {side}: pitchers allowed {allowed} runs, {opponent} scored "
                       f"{_score(game, opponent)}")
    return out


def at_bats_contiguous(game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    indexes = sorted(r["at_bat_index"] for r in rows["mlb.plays"])
    if indexes != list(range(len(indexes))) or not indexes:
        gaps = sorted(set(range(max(indexes, default=-1) + 1)) - set(indexes))
        return [f"{game['game_pk']}: {len(indexes)} plays, at_bat_index missing {gaps[:10] or 'all'}"]
    return []


def pitch_numbers_contiguous(game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    per_play: dict[int, list[int]] = defaultdict(list)
    for r in rows["mlb.pitches"]:
        per_play[r["at_bat_index"]].append(r["pitch_number"])
    return [f"{game['game_pk']} play {ab}: pitch numbers {sorted(nums)}, not 1..{len(nums)}"
            for ab, nums in sorted(per_play.items()) if sorted(nums) != list(range(1, len(nums) + 1))]


def counts_in_range(game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    return [f"{game['game_pk']} play {r['at_bat_index']} pitch {r['pitch_number']}: starts at "
            f"{r['balls']}-{r['strikes']}"
            for r in sorted(rows["mlb.pitches"], key=lambda r: (r["at_bat_index"], r["pitch_number"]))
            if r["balls"] is None or r["strikes"] is None or not (0 <= r["balls"] <= 3 and 0 <= r["strikes"] <= 2)]


def teams_have_lineups(game: dict[str, Any], rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    out = []
    for side in SIDES:
        batters = sum(1 for r in rows["mlb.batting"] if r["side"] == side)
        pitchers = sum(1 for r in rows["mlb.pitching"] if r["side"] == side)
        if batters < 9 or pitchers < 1:
            out.append(f"{game['game_pk']} {side}: {batters} batters, {pitchers} pitchers")
    return out


FINAL_CHECKS: tuple[Callable[[dict[str, Any], dict[str, list[dict[str, Any]]]], list[str]], ...] = (
    linescore_adds_up, last_play_is_final_score, batting_matches_team, pitching_matches_opponent,
    at_bats_contiguous, pitch_numbers_contiguous, counts_in_range, teams_have_lineups,
)
#: Audit name -> what a failure is.
WHAT = {
    "linescore_adds_up": "final games whose line score does not add up to their runs, hits and errors",
    "last_play_is_final_score": "final games whose last play's score is not the final score",
    "batting_matches_team": "final games whose batters' runs or hits differ from their team's",
    "pitching_matches_opponent": "final games whose pitchers' runs allowed differ from the opponent's runs",
    "at_bats_contiguous": "final games whose at_bat_index does not run 0..n-1",
    "pitch_numbers_contiguous": "plays whose pitch numbers do not run 1..k",
    "counts_in_range": "pitches starting with more than 3 balls or 2 strikes",
    "teams_have_lineups": "teams of final games with fewer than 9 batters or no pitcher",
    "players_are_known": "player ids that are not in mlb.players",
    "schedule_finals_have_games": "games the schedule shows final without a final mlb.games row",
}
CHECKS = tuple(WHAT)


def _bind(name: str, make: Callable[[Store], _Pass], shared: dict) -> Audit:
    def audit(store: Store) -> AuditResult:
        key = id(store)
        if key not in shared:
            shared[key] = make(store)
        done = shared[key]
        return verdict(name, done.checked[name], done.bad[name], WHAT[name])

    audit.audit_name = name  # type: ignore[attr-defined]
    audit.__name__ = name
    return audit


def audits_for(dates: Iterable[date] | None = None, games: Iterable[int] | None = None,
               season: str | None = None) -> list[Audit]:
    """The MLB audits, over the games in scope (all games by default)."""
    scope_dates = set(dates) if dates is not None else None
    scope_games = {int(g) for g in games} if games is not None else None
    shared: dict = {}
    return [_bind(name, lambda store: _Pass(store, scope_dates, scope_games, season), shared) for name in CHECKS]


__all__ = ["CHECKS", "audits_for"]
