"""Audits of the NBA tables (see :mod:`fieldhouse.sources.audits`).

``audits_for(season=None)`` returns the checks, each a callable ``audit(store)``; with a
season they look at that season's games and stats only.  Each reads the tables once
through ``store.rows``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ...stores import Store
from ..audits import Audit, AuditResult, verdict

FINAL = "final"

#: Regular-season games per season where it was not 82 games x 30 teams / 2 = 1,230.
REGULAR_SEASON_GAMES = {"1998-99": 725, "2011-12": 990, "2019-20": 971, "2020-21": 1080}
#: Plausible numbers of games of a complete post-season, by season type.
POSTSEASON_GAMES = {"playoffs": (60, 105), "play_in": (1, 6)}
#: A complete regular season with fewer final games than this share of the expected is flagged.
PLAUSIBLE_SHARE = 0.98


def expected_regular_games(season: str) -> int:
    if season in REGULAR_SEASON_GAMES:
        return REGULAR_SEASON_GAMES[season]
    return 1230 if int(season[:4]) >= 2004 else 1189


def season_over(season: str, today: date) -> bool:
    """Whether every game of ``season`` (regular and post-season) is in the past."""
    last_day = date(2020, 10, 15) if season == "2019-20" else date(int(season[:4]) + 1, 7, 31)
    return today > last_day


def _tables() -> dict[str, Any]:
    from .schema import TABLES

    return TABLES


class _Data:
    """The rows the audits need, read once per store and season."""

    def __init__(self, store: Store, season: str | None) -> None:
        t = _tables()
        where = {"season": season} if season else None
        self.games = {g["game_id"]: g for g in self._rows(store, t["nba.games"], where)}
        self.team_stats = self._rows(store, t["nba.team_game_stats"], where)
        self.player_stats = self._rows(store, t["nba.player_game_stats"], where)
        self.team_ids = {r["team_id"] for r in self._rows(store, t["nba.teams"], None)}
        self.player_ids = {r["player_id"] for r in self._rows(store, t["nba.players"], None)}
        self.final = sorted(gid for gid, g in self.games.items() if g["status"] == FINAL)

    @staticmethod
    def _rows(store: Store, table, where) -> list[dict[str, Any]]:
        if not store.table_exists(table):
            return []
        return store.rows(table, where=where)


def _data(store: Store, season: str | None, shared: dict) -> _Data:
    key = (id(store), season)
    if key not in shared:
        shared[key] = _Data(store, season)
    return shared[key]


def final_games_have_two_team_rows(data: _Data) -> AuditResult:
    per_game = Counter(r["game_id"] for r in data.team_stats)
    bad = [f"{gid} ({per_game.get(gid, 0)} rows)" for gid in data.final if per_game.get(gid, 0) != 2]
    return verdict("final_games_two_team_rows", len(data.final), bad,
                   "final games without exactly two team rows")


def final_games_have_player_rows(data: _Data) -> AuditResult:
    teams_with_players = defaultdict(set)
    for r in data.player_stats:
        teams_with_players[r["game_id"]].add(r["team_id"])
    bad = []
    for gid in data.final:
        g = data.games[gid]
        missing = [t for t in (g["home_team_id"], g["away_team_id"]) if t not in teams_with_players[gid]]
        if missing:
            bad.append(f"{gid} (no player rows for team {', '.join(str(t) for t in missing)})")
    return verdict("final_games_have_player_rows", len(data.final), bad, "final games without player rows")


def final_games_have_scores(data: _Data) -> AuditResult:
    bad = [gid for gid in data.final
           if data.games[gid]["home_score"] is None or data.games[gid]["away_score"] is None]
    return verdict("final_games_have_scores", len(data.final), bad, "final games with a missing score")


def team_points_match_players(data: _Data) -> AuditResult:
    player_pts: dict[tuple, int] = defaultdict(int)
    seen: set[tuple] = set()
    for r in data.player_stats:
        key = (r["game_id"], r["team_id"])
        seen.add(key)
        player_pts[key] += r["pts"] or 0
    checked, bad = 0, []
    for r in data.team_stats:
        key = (r["game_id"], r["team_id"])
        if key not in seen or r["pts"] is None:
            continue  # no player rows: final_games_have_player_rows says so
        checked += 1
        if player_pts[key] != r["pts"]:
            bad.append(f"{key[0]}/{key[1]} (team {r['pts']}, players {player_pts[key]})")
    return verdict("team_points_match_players", checked, bad,
                   "team rows whose points differ from the sum of their players' points")


def no_orphan_keys(data: _Data) -> AuditResult:
    bad: list[str] = []
    checked = 0
    for gid, g in sorted(data.games.items()):
        for side in ("home_team_id", "away_team_id"):
            checked += 1
            if g[side] is not None and g[side] not in data.team_ids:
                bad.append(f"nba.games {gid}.{side}={g[side]} -> nba.teams")
    for r in data.team_stats:
        checked += 1
        if r["game_id"] not in data.games:
            bad.append(f"nba.team_game_stats {r['game_id']}/{r['team_id']} -> nba.games")
        if r["team_id"] not in data.team_ids:
            bad.append(f"nba.team_game_stats {r['game_id']}/{r['team_id']} -> nba.teams")
    for r in data.player_stats:
        checked += 1
        where = f"nba.player_game_stats {r['game_id']}/{r['player_id']}"
        if r["game_id"] not in data.games:
            bad.append(f"{where} -> nba.games")
        if r["team_id"] not in data.team_ids:
            bad.append(f"{where} team {r['team_id']} -> nba.teams")
        if r["player_id"] not in data.player_ids:
            bad.append(f"{where} -> nba.players")
    return verdict("no_orphan_keys", checked, bad, "rows referring to a key that is not there")


def home_and_away_differ(data: _Data) -> AuditResult:
    bad = [gid for gid, g in sorted(data.games.items())
           if g["home_team_id"] is not None and g["home_team_id"] == g["away_team_id"]]
    return verdict("home_and_away_differ", len(data.games), bad, "games whose home and away team are the same")


def final_games_plausible(data: _Data, today: date | None = None) -> AuditResult:
    """The number of final games per season and season type, against the schedule: a
    complete regular season needs (nearly) all its games (1,230 in a normal season), a
    complete post-season a plausible number; games scheduled more than two days ago that are
    still not final are flagged in any season."""
    today = today or datetime.now(UTC).date()
    groups: dict[tuple[str, str], Counter] = defaultdict(Counter)
    overdue: dict[tuple[str, str], list[str]] = defaultdict(list)
    for gid, g in data.games.items():
        key = (g["season"], g["season_type"])
        groups[key][g["status"]] += 1
        if g["status"] != FINAL and g["game_date"] is not None and g["game_date"] < today - timedelta(days=2):
            overdue[key].append(gid)
    bad: list[str] = []
    for (season, stype), counts in sorted(groups.items()):
        final, total = counts[FINAL], sum(counts.values())
        over = season_over(season, today) if season else False
        if stype == "regular":
            expected = expected_regular_games(season)
            if over and final < PLAUSIBLE_SHARE * expected:
                bad.append(f"{season} regular: {final} final games, the schedule has {expected}")
            elif not over and counts["scheduled"] and total < PLAUSIBLE_SHARE * expected:
                bad.append(f"{season} regular: the schedule holds {total} games, expected {expected}")
            elif final > expected:
                bad.append(f"{season} regular: {final} final games, more than the {expected} scheduled")
        elif stype in POSTSEASON_GAMES and over:
            low, high = POSTSEASON_GAMES[stype]
            if not low <= final <= high:
                bad.append(f"{season} {stype}: {final} final games, expected {low} to {high}")
        late = sorted(overdue.get((season, stype), []))
        if late and (len(late) > 5 or len(late) > 0.02 * total):
            bad.append(f"{season} {stype}: {len(late)} games scheduled more than two days ago are "
                       f"not final (e.g. {', '.join(late[:5])})")
    return verdict("final_games_plausible", len(groups), bad, "season(s) with an implausible number of final games",
                   ok=f"{sum(c[FINAL] for c in groups.values())} final games in {len(groups)} "
                      "season(s) and season type(s), plausible against the schedule")


CHECKS: tuple[Callable[..., AuditResult], ...] = (
    final_games_have_two_team_rows,
    final_games_have_player_rows,
    final_games_have_scores,
    team_points_match_players,
    no_orphan_keys,
    home_and_away_differ,
    final_games_plausible,
)


def _bind(check: Callable[..., AuditResult], season: str | None, shared: dict, today: date | None) -> Audit:
    def audit(store: Store) -> AuditResult:
        data = _data(store, season, shared)
        if check is final_games_plausible:
            return check(data, today)
        return check(data)

    audit.audit_name = check.__name__  # type: ignore[attr-defined]
    audit.__name__ = check.__name__
    return audit


def audits_for(season: str | None = None, today: date | None = None) -> list[Audit]:
    """The NBA audits, over one season or all of them.  The audits of one list share one
    read of the tables (made by the first of them to run)."""
    shared: dict = {}
    return [_bind(check, season, shared, today) for check in CHECKS]


__all__ = ["CHECKS", "audits_for"]
