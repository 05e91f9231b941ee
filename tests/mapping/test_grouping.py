"""Row sources that group elements by a key: the group (@) and the partner (&), and the
NBA game log rule built on them (a game's row comes from its home team's row; at a neutral
site, from the row of the lower team_id)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from fieldhouse.errors import MappingError
from fieldhouse.mapping import apply_mapping
from fieldhouse.sources.nba.schema import mapping as nba_mapping

from .helpers import CAPTURED, mapping, run

PAIRS = """\
targets:
  pairs:
    rows:
      - each: items
        group_by: g
    primary_key: id
    version: v
    columns:
      id:        {type: int, path: id}
      partner:   {type: int, path: "&.id"}
      size:      {type: int, expr: "length(path('@'))"}
      first:     {type: int, path: "@[0].id"}
      v:         {type: int, value: 1}
"""


def test_each_element_sees_its_group_and_its_partner() -> None:
    items = [{"id": 1, "g": "a"}, {"id": 2, "g": "b"}, {"id": 3, "g": "a"},
             {"id": 4, "g": "c"}, {"id": 5, "g": "c"}, {"id": 6, "g": "c"}, {"id": 7, "g": None}, {"id": 8}]
    rows = run(PAIRS, [{"items": items}]).rows["pairs"]
    got = {r["id"]: (r["partner"], r["size"], r["first"]) for r in rows}
    assert got == {
        1: (3, 2, 1), 3: (1, 2, 1), 2: (None, 1, 2),  # a pair, and one alone
        4: (None, 3, 4), 5: (None, 3, 4), 6: (None, 3, 4),  # three: no partner, but a group
        7: (None, 1, 7), 8: (None, 1, 8),  # a null key is a group of its own
    }


def test_groups_compare_keys_as_json_and_stay_within_their_enclosing_element() -> None:
    text = PAIRS.replace("      - each: items\n", "      - each: days\n      - each: items\n")
    record = {"days": [{"items": [{"id": 1, "g": 1}, {"id": 2, "g": "1"}, {"id": 3, "g": True}]},
                       {"items": [{"id": 4, "g": 1}, {"id": 5, "g": 1.0}]}]}
    rows = run(text, [record]).rows["pairs"]
    assert {r["id"]: r["partner"] for r in rows} == {1: None, 2: None, 3: None, 4: None, 5: None}
    record["days"][1]["items"][1]["g"] = 1
    rows = run(text, [record]).rows["pairs"]
    assert {r["id"]: r["partner"] for r in rows} == {1: None, 2: None, 3: None, 4: 5, 5: 4}


@pytest.mark.parametrize(("change", "words"), [
    (('        group_by: g\n', ''), "'&.id' needs a group, but rows level 1 (each items) has no group_by"),
    (('group_by: g', 'group_by: "&.g"'), "group_by: '&.g' needs a group, but rows level 1 (each items) has no group_by"),
    (('path: "&.id"', 'path: "^&.id"'), "'^&.id' asks for the partner of the record"),
])
def test_group_paths_need_a_level_with_group_by(change: tuple[str, str], words: str) -> None:
    with pytest.raises(MappingError) as info:
        mapping(PAIRS.replace(*change))
    assert words in str(info.value)


# --------------------------------------------------------------------------- the NBA rule

def _payload(fixtures_dir: Path) -> dict:
    path = fixtures_dir / "nba/leaguegamelog/leaguegamelog_T_2025-26_regular_season_thru_2026-02-21.json"
    return json.loads(path.read_text())


def _expected_games(payload: dict) -> dict[str, tuple[int, bool]]:
    """The rule, written out: game -> (home team, neutral site)."""
    rs = payload["resultSets"][0]
    at = {h: i for i, h in enumerate(rs["headers"])}
    games: dict[str, list[list]] = {}
    for row in rs["rowSet"]:
        games.setdefault(row[at["GAME_ID"]], []).append(row)
    out = {}
    for game, rows in games.items():
        home = [r for r in rows if " vs. " in r[at["MATCHUP"]]]
        if home:
            out[game] = (home[0][at["TEAM_ID"]], False)
        elif len(rows) == 2:
            out[game] = (min(r[at["TEAM_ID"]] for r in rows), True)
    return out


def test_the_nba_game_row_comes_from_the_home_row_or_at_a_neutral_site_the_lower_team_id(fixtures_dir: Path) -> None:
    payload = _payload(fixtures_dir)
    applied = apply_mapping(nba_mapping("leaguegamelog_team"), [payload], CAPTURED)
    games = {r["game_id"]: (r["home_team_id"], r["neutral_site"]) for r in applied.rows["games"]}
    expected = _expected_games(payload)
    assert games == expected
    neutral = {g for g, (_, n) in games.items() if n}
    assert {"0022500147", "0022501230", "0022501229"} <= neutral  # real neutral-site games of 2025-26
    assert len(games) == len({r[4] for r in payload["resultSets"][0]["rowSet"]})
    assert applied.all_rejects() == []
    assert len(applied.rows["team_game_stats"]) == len(payload["resultSets"][0]["rowSet"])


def test_a_game_with_one_row_gets_a_game_row_only_if_that_row_is_home(fixtures_dir: Path) -> None:
    payload = copy.deepcopy(_payload(fixtures_dir))
    rs = payload["resultSets"][0]
    at = {h: i for i, h in enumerate(rs["headers"])}
    neutral_game = "0022500147"
    home_row = next(r for r in rs["rowSet"] if " vs. " in r[at["MATCHUP"]])
    away_of_that_game = next(r for r in rs["rowSet"] if r[at["GAME_ID"]] == home_row[at["GAME_ID"]] and r is not home_row)
    first_neutral = next(r for r in rs["rowSet"] if r[at["GAME_ID"]] == neutral_game)
    rs["rowSet"] = [r for r in rs["rowSet"] if r is not away_of_that_game and r is not first_neutral]
    applied = apply_mapping(nba_mapping("leaguegamelog_team"), [payload], CAPTURED)
    games = {r["game_id"]: (r["home_team_id"], r["neutral_site"]) for r in applied.rows["games"]}
    assert neutral_game not in games  # one row, and it reads "@"
    assert games[home_row[at["GAME_ID"]]] == (home_row[at["TEAM_ID"]], False)
    assert games == _expected_games(payload)
