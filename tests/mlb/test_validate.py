"""The MLB response validators: every real recorded body passes; a body that is not what
was asked for, or not whole, fails with one message saying what and where."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fieldhouse.errors import BadResponseError
from fieldhouse.sources.mlb.validate import validate

from .helpers import FINAL_FEEDS, FIXTURES, feed, fixture, read_json

FEED = "v1.1/game/{pk}/feed/live"


def _fails(endpoint: str, data: Any, *words: str, params: dict | None = None) -> str:
    with pytest.raises(BadResponseError) as caught:
        validate(endpoint, data, params)
    message = str(caught.value)
    assert caught.value.endpoint == endpoint
    for word in words:
        assert word in message, message
    return message


@pytest.mark.parametrize("path", sorted(p.name for p in (FIXTURES / "liveGameV1").iterdir() if "TRIMMED" not in p.name))
def test_every_recorded_feed_passes(path: str) -> None:
    data = read_json(FIXTURES / "liveGameV1" / path)
    validate(FEED.format(pk=data["gamePk"]), data)


@pytest.mark.parametrize(("endpoint", "folder"), [
    ("v1/schedule", "schedule"), ("v1/teams", "teams"), ("v1/people", "person"), ("v1/game/1/boxscore", "boxscore"),
    ("v1/game/1/linescore", "linescore"), ("v1.1/game/746139/feed/live/diffPatch", "diffPatch"),
    ("v1/game/1/playByPlay", "playByPlay"),
])
def test_every_recorded_body_of_the_other_endpoints_passes(endpoint: str, folder: str) -> None:
    for path in sorted((FIXTURES / folder).iterdir()):
        validate(endpoint, read_json(path))


def test_a_feed_of_another_game_is_refused() -> None:
    _fails(FEED.format(pk=717210), feed(FINAL_FEEDS[717209]), "asked for game 717210", "game 717209")


@pytest.mark.parametrize("part", ["gameData", "liveData"])
def test_a_feed_without_game_or_live_data_is_refused(part: str) -> None:
    data = feed(FINAL_FEEDS[744914])
    del data[part]
    _fails(FEED.format(pk=744914), data, f"without {part}")


def test_the_trimmed_feed_is_refused_as_partial() -> None:
    data = fixture("liveGameV1/liveGameV1_715720_2022WS_G5_TRIMMED.json")
    _fails(FEED.format(pk=715720), data, "scoringPlays refers to play 4", "allPlays has 2")


CORRUPTIONS: list[tuple[str, Callable[[dict], None], str]] = [
    ("no time code", lambda d: d["metaData"].pop("timeStamp"), "metaData.timeStamp is None"),
    ("bad time code", lambda d: d["metaData"].update(timeStamp="2023-07-30T03:15:31Z"), "not a time code"),
    ("inner pk differs", lambda d: d["gameData"]["game"].update(pk=1), "gameData.game.pk 1"),
    ("a play out of place", lambda d: d["liveData"]["plays"]["allPlays"].pop(3), "allPlays[3].about.atBatIndex is 4"),
    ("no status", lambda d: d["gameData"]["status"].pop("abstractGameState"), "abstractGameState"),
    ("no home team id", lambda d: d["gameData"]["teams"]["home"].pop("id"), "gameData.teams.home.id"),
    ("boxscore side missing", lambda d: d["liveData"]["boxscore"]["teams"].pop("away"), "liveData.boxscore.teams.away"),
    ("runners not a list", lambda d: d["liveData"]["plays"]["allPlays"][0].update(runners={}), "allPlays[0].runners"),
    ("gamePk as text", lambda d: d.update(gamePk="717209"), "gamePk is '717209'"),
]


@pytest.mark.parametrize(("corrupt", "words"), [(c[1], c[2]) for c in CORRUPTIONS], ids=[c[0] for c in CORRUPTIONS])
def test_a_corrupted_feed_is_refused_with_where(corrupt: Callable[[dict], None], words: str) -> None:
    data = feed(FINAL_FEEDS[717209])
    corrupt(data)
    _fails(FEED.format(pk=717209), data, words)


def test_a_feed_that_is_not_an_object() -> None:
    _fails(FEED.format(pk=1), [1, 2], "a list, not an object")


def test_schedule_dates_must_be_the_ones_asked_for() -> None:
    data = fixture("schedule/schedule_date-2024-07-01_sportId-1.json")
    validate("v1/schedule", data, {"date": "2024-07-01", "sportId": "1"})
    validate("v1/schedule", data, {"startDate": "2024-06-30", "endDate": "2024-07-02"})
    _fails("v1/schedule", data, "dates[0] is 2024-07-01, outside", params={"date": "2024-07-02"})
    broken = fixture("schedule/schedule_date-2024-07-01_sportId-1.json")
    broken["dates"][0]["games"][1].pop("gamePk")
    _fails("v1/schedule", broken, "dates[0].games[1].gamePk")
    _fails("v1/schedule", {"totalGames": 0}, "dates is missing")


def test_people_must_be_the_ones_asked_for() -> None:
    data = fixture("person/person_personIds-545361.pymlb_envelope.json.gz")
    validate("v1/people", data, {"personIds": "545361,592450"})
    _fails("v1/people", data, "person 545361, who was not asked for", params={"personIds": "592450"})


def test_teams_boxscore_linescore_and_patch_shapes() -> None:
    _fails("v1/teams", {"teams": [{"id": 1}]}, "teams[0] has no name")
    box = fixture("boxscore/boxscore_744914_2024-07-01.json.gz")
    del box["teams"]["home"]["pitchers"]
    _fails("v1/game/744914/boxscore", box, "teams.home.pitchers is missing")
    _fails("v1/game/744914/linescore", {"innings": [{"ordinalNum": "1st"}], "teams": {}}, "innings[0].num")
    patch = read_json(FIXTURES / "diffPatch" / "diffPatch_746139_from-20240612_041248_to-20240612_041302.json")
    validate("v1.1/game/746139/feed/live/diffPatch", [])  # nothing changed
    patch[0]["diff"][0]["op"] = "merge"
    _fails("v1.1/game/746139/feed/live/diffPatch", patch, "[0].diff[0] is not a patch operation")


def test_a_diff_patch_answered_with_a_whole_feed_is_checked_as_a_feed() -> None:
    endpoint = "v1.1/game/717209/feed/live/diffPatch"
    validate(endpoint, feed(FINAL_FEEDS[717209]))
    _fails("v1.1/game/1/feed/live/diffPatch", feed(FINAL_FEEDS[717209]), "asked for game 1")
