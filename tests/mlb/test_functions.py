"""The functions the MLB mappings call, on their own and through a mapping."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldhouse.mapping import apply_mapping
from fieldhouse.sources.mlb import functions, schema

from .helpers import CAPTURED, FINAL_FEEDS, feed


def test_time_codes_are_utc() -> None:
    assert functions.timecode("20230730_031531") == datetime(2023, 7, 30, 3, 15, 31, tzinfo=UTC)
    assert functions.timecode(None) is None
    for bad in ("2023-07-30T03:15:31Z", "20230730031531", "20231330_000000"):
        with pytest.raises(ValueError):
            functions.timecode(bad)


def test_a_feed_with_a_bad_time_code_is_rejected_not_versioned_by_the_fetch() -> None:
    data = feed(FINAL_FEEDS[744914])
    data["metaData"]["timeStamp"] = "yesterday"
    applied = apply_mapping(schema.mapping("feed_game"), [data], CAPTURED)
    assert applied.rows["games"] == []
    [reason] = {r.reason for r in applied.rejects["games"]}
    assert "updated_at" in reason and "'yesterday' is not a time code" in reason


def test_the_count_before_an_event() -> None:
    events = [{"count": {"balls": 1, "strikes": 0}}, {"count": {"balls": 1, "strikes": 1}}, {}]
    assert [functions.count_before(events, i, "strikes") for i in range(3)] == [0, 0, 1]
    with pytest.raises(ValueError, match=r"playEvents\[2\] has no count.balls"):
        functions.count_before(events, 3, "balls")


@pytest.mark.parametrize(("abstract", "coded", "detailed", "status"), [
    ("Preview", "S", "Scheduled", "scheduled"),
    ("Preview", "P", "Delayed Start: Inclement Weather", "scheduled"),
    ("Live", "P", "Warmup", "scheduled"),
    ("Live", "I", "In Progress", "in_progress"),
    ("Live", "I", "Delayed: Rain", "in_progress"),
    ("Final", "F", "Final", "final"),
    ("Final", "O", "Game Over", "final"),
    ("Final", "D", "Postponed", "postponed"),
    ("Final", "C", "Cancelled", "cancelled"),
    ("Live", "U", "Suspended: Rain", "suspended"),
    (None, None, None, None),
])
def test_game_status(abstract: str, coded: str, detailed: str, status: str) -> None:
    assert functions.game_status(abstract, coded, detailed) == status


def test_a_pregame_placeholder_is_not_a_play_yet() -> None:
    advisory = {"details": {"eventType": "game_advisory"}}
    assert not functions.play_started({"about": {"isComplete": False}, "playEvents": [advisory, advisory]})
    assert functions.play_started({"about": {"isComplete": False}, "playEvents": []})
    assert functions.play_started({"about": {"isComplete": False}, "playEvents": [advisory, {"details": {"code": "B"}}]})
    assert functions.play_started({"about": {"isComplete": True}, "playEvents": [advisory]})


def test_heights_and_positions() -> None:
    assert [functions.height_inches(h) for h in ("6' 2\"", "5' 11\"", "6'", None)] == [74, 71, 72, None]
    with pytest.raises(ValueError):
        functions.height_inches("188 cm")
    assert functions.positions([{"abbreviation": "2B"}, {"abbreviation": "SS"}]) == "2B-SS"
    assert functions.index_of([5, 7], 7) == 1 and functions.index_of([5], 9) is None
    assert functions.count_true([{"a": {"b": True}}, {"a": {"b": False}}, {}], "a.b") == 1
