"""The 30 NBA teams: nba_api's static data plus the conference and division of each,
and the abbreviations teams played under in the past (for reading old MATCHUP strings)."""

from __future__ import annotations

from functools import cache
from typing import Any

from nba_api.stats.static import teams as static_teams

# Maintained here: nba_api's static data has no conference or division.  Unchanged since
# the 2004-05 realignment (New Orleans and Charlotte kept their slots through renames).
DIVISIONS: dict[str, tuple[str, str]] = {
    **{a: ("East", "Atlantic") for a in ("BOS", "BKN", "NYK", "PHI", "TOR")},
    **{a: ("East", "Central") for a in ("CHI", "CLE", "DET", "IND", "MIL")},
    **{a: ("East", "Southeast") for a in ("ATL", "CHA", "MIA", "ORL", "WAS")},
    **{a: ("West", "Northwest") for a in ("DEN", "MIN", "OKC", "POR", "UTA")},
    **{a: ("West", "Pacific") for a in ("GSW", "LAC", "LAL", "PHX", "SAC")},
    **{a: ("West", "Southwest") for a in ("DAL", "HOU", "MEM", "NOP", "SAS")},
}

# Abbreviations the stats API shows for seasons when a franchise had another name.
FORMER_ABBREVIATIONS: dict[str, str] = {
    "NJN": "BKN",  # New Jersey Nets, to 2011-12
    "NOH": "NOP",  # New Orleans Hornets, 2002-03 to 2012-13
    "NOK": "NOP",  # New Orleans/Oklahoma City Hornets, 2005-06 and 2006-07
    "SEA": "OKC",  # Seattle SuperSonics, to 2007-08
    "VAN": "MEM",  # Vancouver Grizzlies, to 2000-01
    "CHH": "CHA",  # Charlotte Hornets, 1988-89 to 2001-02
    "WSB": "WAS",  # Washington Bullets, to 1996-97
    "KCK": "SAC",  # Kansas City Kings, to 1984-85
    "SDC": "LAC",  # San Diego Clippers, to 1983-84
    "GOS": "GSW",
    "PHL": "PHI",
    "SAN": "SAS",
    "UTH": "UTA",
}


@cache
def all_teams() -> list[dict[str, Any]]:
    """One record per team: team_id, abbreviation, full_name, city, conference, division."""
    out = []
    for team in static_teams.get_teams():
        conference, division = DIVISIONS[team["abbreviation"]]
        out.append({
            "team_id": team["id"],
            "abbreviation": team["abbreviation"],
            "full_name": team["full_name"],
            "city": team["city"],
            "nickname": team["nickname"],
            "conference": conference,
            "division": division,
        })
    return out


@cache
def _ids_by_abbreviation() -> dict[str, int]:
    ids = {t["abbreviation"]: t["team_id"] for t in all_teams()}
    ids.update({old: ids[new] for old, new in FORMER_ABBREVIATIONS.items()})
    return ids


def team_id_for(abbreviation: str) -> int | None:
    """The team_id of a current or former abbreviation (None if unknown)."""
    return _ids_by_abbreviation().get(abbreviation.strip().upper())
