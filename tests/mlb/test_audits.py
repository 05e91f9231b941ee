"""The MLB audits: all pass on every final feed of the fixtures; each fails, naming the game
and the numbers, on a broken copy of a real feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

import fieldhouse
from fieldhouse.runs.audits import run_audits
from fieldhouse.sources.mlb import schema
from fieldhouse.sources.mlb.audits import CHECKS, audits_for

from .helpers import (
    CANCELLED,
    FINAL_FEEDS,
    LIVE_746139_NEW,
    PREVIEW,
    feed,
    fixture,
    load_endpoint,
    load_feed,
)


def _results(store: Any, **scope: Any) -> dict[str, Any]:
    return {r.name: r for r in run_audits(store, audits_for(**scope)).results}


def test_every_audit_passes_on_every_final_feed(db_url: str) -> None:
    with fieldhouse.connect(db_url) as store:
        for stem in [*FINAL_FEEDS.values(), LIVE_746139_NEW, CANCELLED, PREVIEW]:
            load_feed(store, feed(stem))
        load_endpoint(store, "schedule", fixture("schedule/schedule_date-2024-07-01_hydrate-team_1game.json"))
        results = _results(store)
    assert set(results) == set(CHECKS)
    assert [r.detail for r in results.values() if not r.passed] == []
    assert results["linescore_adds_up"].checked == len(FINAL_FEEDS)  # Game Over counts; Live/Cancelled/Preview do not
    assert results["players_are_known"].checked == len(FINAL_FEEDS) + 3
    assert results["schedule_finals_have_games"].checked == 1


def _box(data: dict, side: str, pid: int) -> dict:
    return data["liveData"]["boxscore"]["teams"][side]["players"][f"ID{pid}"]["stats"]


def _first_batter(data: dict, side: str) -> int:
    return data["liveData"]["boxscore"]["teams"][side]["battingOrder"][0]


def _bump_linescore(d: dict) -> None:
    d["liveData"]["linescore"]["innings"][2]["home"]["runs"] += 1


def _drop_play(d: dict) -> None:
    d["liveData"]["plays"]["allPlays"].pop(10)


def _renumber_pitch(d: dict) -> None:
    d["liveData"]["plays"]["allPlays"][3]["playEvents"][1]["pitchNumber"] = 7


def _last_play_score(d: dict) -> None:
    d["liveData"]["plays"]["allPlays"][-1]["result"]["homeScore"] = 2


def _batter_run(d: dict) -> None:
    _box(d, "away", _first_batter(d, "away"))["batting"]["runs"] += 2


def _pitcher_run(d: dict) -> None:
    home = d["liveData"]["boxscore"]["teams"]["home"]
    _box(d, "home", home["pitchers"][0])["pitching"]["runs"] += 1


def _short_lineup(d: dict) -> None:
    for player in d["liveData"]["boxscore"]["teams"]["home"]["players"].values():
        if player.get("battingOrder", "").endswith("00") and player["battingOrder"] > "600":
            del player["battingOrder"]


def _unknown_batter(d: dict) -> None:
    d["liveData"]["plays"]["allPlays"][0]["matchup"]["batter"]["id"] = 999


# (break the 744914 feed (HOU 3 @ TOR 1), audit that must fail, words its message must have)
BREAKS: list[tuple[Callable[[dict], None], str, list[str]]] = [
    (_bump_linescore, "linescore_adds_up", ["744914 home: runs 2 by inning, 1 in total"]),
    (_drop_play, "at_bats_contiguous", ["744914: 67 plays, at_bat_index missing [10]"]),
    (_renumber_pitch, "pitch_numbers_contiguous", ["744914 play 3: pitch numbers [1, 3, 7]"]),
    (_last_play_score, "last_play_is_final_score", ["744914: last play (67) ends 3-2", "final score is 3-1"]),
    (_batter_run, "batting_matches_team", ["744914 away: batters' runs 5, the team's 3"]),
    (_pitcher_run, "pitching_matches_opponent", ["744914 home: pitchers allowed 4 runs, away scored 3"]),
    (_short_lineup, "teams_have_lineups", ["744914 home: 7 batters, 3 pitchers"]),
    (_unknown_batter, "players_are_known", ["744914: player 999 (mlb.pitches.batter_id, mlb.plays.batter_id)"]),
]


@pytest.mark.parametrize(("breaking", "audit", "words"), BREAKS, ids=[b[1] for b in BREAKS])
def test_an_audit_fails_on_a_broken_copy_naming_the_game_and_the_numbers(
        sqlite_url: str, breaking: Callable[[dict], None], audit: str, words: list[str]) -> None:
    data = feed(FINAL_FEEDS[744914])
    breaking(data)
    with fieldhouse.connect(sqlite_url) as store:
        load_feed(store, data)
        results = _results(store)
    failed = {name for name, r in results.items() if not r.passed}
    assert audit in failed
    detail = results[audit].detail
    for word in words:
        assert word in detail, detail
    assert results[audit].keys and results[audit].keys[0].startswith("744914")


def test_a_pitch_starting_at_four_balls_fails(sqlite_url: str) -> None:
    pitches = schema.tables()["mlb.pitches"]
    with fieldhouse.connect(sqlite_url) as store:
        load_feed(store, feed(FINAL_FEEDS[744914]))
        [row] = store.rows(pitches, where={"game_pk": 744914, "at_bat_index": 0, "pitch_number": 1})
        store.upsert(pitches, [{**row, "balls": 4, "updated_at": row["updated_at"].replace(year=2030)}])
        result = _results(store)["counts_in_range"]
    assert not result.passed
    assert "744914 play 0 pitch 1: starts at 4-0" in result.detail


def test_a_final_game_on_the_schedule_needs_its_feed(sqlite_url: str) -> None:
    with fieldhouse.connect(sqlite_url) as store:
        load_feed(store, feed(FINAL_FEEDS[744914]))
        load_endpoint(store, "schedule", fixture("schedule/schedule_date-2024-07-01_sportId-1.json"))
        load_endpoint(store, "schedule", fixture("schedule/schedule_date-2024-10-25_sportId-1.pymlb_envelope.json.gz"))
        everything = _results(store)["schedule_finals_have_games"]
        one_day = _results(store, dates=[date(2024, 7, 1)])["schedule_finals_have_games"]
        one_game = _results(store, games=[744914])["schedule_finals_have_games"]
    assert not everything.passed and everything.failures == 3
    assert not one_day.passed and one_day.failures == 2
    assert "744840 (final on the schedule of 2024-07-01, no mlb.games row)" in one_day.detail
    assert "746535" in one_day.detail and "775300" not in one_day.detail
    assert one_game.passed and one_game.checked == 1


def test_a_game_still_live_in_the_tables_fails_the_schedule_check(sqlite_url: str) -> None:
    live = feed(LIVE_746139_NEW)
    schedule = fixture("schedule/schedule_date-2024-07-01_hydrate-team_1game.json")
    listing = schedule["dates"][0]["games"][0]
    listing["gamePk"] = 746139
    with fieldhouse.connect(sqlite_url) as store:
        load_feed(store, live)
        load_endpoint(store, "schedule", schedule)
        result = _results(store)["schedule_finals_have_games"]
    assert "746139 (final on the schedule of 2024-07-01, mlb.games says in_progress)" in result.detail


def test_the_scope_limits_the_games(sqlite_url: str) -> None:
    broken = feed(FINAL_FEEDS[744914])
    _bump_linescore(broken)
    with fieldhouse.connect(sqlite_url) as store:
        load_feed(store, broken)
        load_feed(store, feed(FINAL_FEEDS[717209]))
        other_day = _results(store, dates=[date(2023, 7, 29)])["linescore_adds_up"]
        other_season = _results(store, season="2023")["linescore_adds_up"]
        this_game = _results(store, games=[744914])["linescore_adds_up"]
    assert other_day.passed and other_day.checked == 1
    assert other_season.passed and other_season.checked == 1
    assert not this_game.passed and this_game.checked == 1
