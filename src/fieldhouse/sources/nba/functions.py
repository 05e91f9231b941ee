"""Functions the NBA mappings call by name (registered with the mapping layer)."""

from __future__ import annotations

from ...mapping import register_function
from .seasons import season_from_id, season_type_from_game_id
from .teams import team_id_for


def _opponent_abbreviation(matchup: str | None) -> str | None:
    """``"BOS vs. NYK"`` and ``"BOS @ NYK"`` -> ``"NYK"``."""
    if not matchup:
        return None
    parts = matchup.replace("@", " @ ").split()
    return parts[-1] if len(parts) >= 3 else None


def _is_home(matchup: str | None) -> bool | None:
    """``"BOS vs. NYK"``: BOS plays at home; ``"BOS @ NYK"``: BOS plays away."""
    if not matchup:
        return None
    if " vs. " in matchup or " vs " in matchup:
        return True
    if "@" in matchup:
        return False
    return None


def _opponent_team_id(matchup: str | None) -> int | None:
    abbreviation = _opponent_abbreviation(matchup)
    if abbreviation is None:
        return None
    team_id = team_id_for(abbreviation)
    if team_id is None:
        raise ValueError(f"unknown team abbreviation {abbreviation!r} in MATCHUP {matchup!r}")
    return team_id


def _safe_div(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


FUNCTIONS = {
    "nba_season": season_from_id,
    "nba_season_type": season_type_from_game_id,
    "nba_is_home": _is_home,
    "nba_opponent_team_id": _opponent_team_id,
    "safe_div": _safe_div,
}


def register() -> None:
    for name, fn in FUNCTIONS.items():
        register_function(name, fn)
