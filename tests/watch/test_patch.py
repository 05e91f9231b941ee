"""The real diffPatch answers of 746139, applied to the captures they start from (issue 15)."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldhouse.sources.mlb.patch import PatchFailed, apply_diff_patch, apply_operations

from ..mlb.helpers import LIVE_746139_NEW, LIVE_746139_OLD, feed, fixture

DIFF_1 = "diffPatch/diffPatch_746139_from-20240612_041248_to-20240612_041302.json"
DIFF_2 = "diffPatch/diffPatch_746139_from-20240612_042717_to-20240612_042758.json"


def test_the_first_real_patch_gives_the_later_state():
    base = feed(LIVE_746139_OLD)
    before = copy.deepcopy(base)
    got = apply_diff_patch(base, fixture(DIFF_1), 746139)
    assert base == before  # the last full state is never changed in place
    live = got["liveData"]
    assert got["metaData"]["timeStamp"] == "20240612_041302"
    assert live["plays"]["currentPlay"]["count"] == {"balls": 1, "strikes": 2, "outs": 2}
    assert len(live["plays"]["allPlays"]) == 62
    assert len(live["plays"]["allPlays"][61]["playEvents"]) == len(base["liveData"]["plays"]["allPlays"][61]["playEvents"]) + 1


def test_the_second_real_patch_gives_the_pitching_change():
    base = feed(LIVE_746139_NEW)
    got = apply_diff_patch(base, fixture(DIFF_2), 746139)
    plays = got["liveData"]["plays"]["allPlays"]
    assert got["metaData"]["timeStamp"] == "20240612_042758"
    assert len(plays) == 68
    assert plays[67]["result"]["description"] == "Pitching Change: Andrew Knizner replaces Jesus Tinoco."
    assert got["liveData"]["boxscore"]["teams"]["away"]["pitchers"][-1] != base["liveData"]["boxscore"]["teams"]["away"]["pitchers"][-1]


def test_an_empty_answer_changes_nothing_and_a_whole_game_replaces_the_state():
    base = feed(LIVE_746139_OLD)
    assert apply_diff_patch(base, [], 746139) == base
    newer = feed(LIVE_746139_NEW)
    assert apply_diff_patch(base, newer, 746139) == newer


def test_writes_past_the_end_of_an_array_and_removes_of_missing_keys_are_applied():
    doc = {"a": [1], "b": {"c": 1}}
    got = apply_operations(doc, [
        {"op": "add", "path": "/a/3", "value": 9},          # RFC: out of range
        {"op": "replace", "path": "/a/5", "value": 7},
        {"op": "remove", "path": "/b/missing"},             # RFC: conflict
        {"op": "replace", "path": "/b/new", "value": 2},    # RFC: conflict
        {"op": "remove", "path": "/a/10"},
    ])
    assert got == {"a": [1, None, None, 9, None, 7], "b": {"c": 1, "new": 2}}
    assert doc == {"a": [1], "b": {"c": 1}}


@pytest.mark.parametrize("body", [
    [{"diff": [{"op": "add", "path": "/liveData/nothere/x", "value": 1}]}],   # missing parent
    [{"diff": [{"op": "replace", "path": "/gamePk", "value": 1}]}],          # another game
    [{"diff": [{"op": "remove", "path": "/liveData/plays"}]}],               # not a whole feed
    [{"diff": [{"op": "test", "path": "/gamePk", "value": 0}]}],
    [{"oops": []}], {"not": "a feed"}, "text",
])
def test_a_malformed_patch_fails(body):
    with pytest.raises(PatchFailed):
        apply_diff_patch(feed(LIVE_746139_OLD), body, 746139)


@given(st.lists(st.integers(0, 9), max_size=5), st.integers(0, 12), st.integers())
def test_a_write_at_any_index_lands_there(items, index, value):
    got = apply_operations({"a": items}, [{"op": "add" if index > len(items) else "replace", "path": f"/a/{index}", "value": value}]
                           if index != len(items) else [{"op": "add", "path": f"/a/{index}", "value": value}])
    assert got["a"][index] == value
    assert got["a"][:min(index, len(items))] == items[:min(index, len(items))]


def test_the_patched_state_agrees_with_the_later_real_capture():
    """No capture at 041302 is recorded, but the later one (042717) is: the state the first
    patch gives holds the same 61 completed plays, and the pitch it adds to play 61 is the
    later capture's, but for the fields the feed refines afterwards (endTime, pitchData)."""
    got = apply_diff_patch(feed(LIVE_746139_OLD), fixture(DIFF_1), 746139)["liveData"]["plays"]["allPlays"]
    later = feed(LIVE_746139_NEW)["liveData"]["plays"]["allPlays"]
    assert got[:61] == later[:61]
    events, later_events = got[61]["playEvents"], later[61]["playEvents"]
    assert events[:3] == later_events[:3]
    differs = {k for k in set(events[3]) | set(later_events[3]) if events[3].get(k) != later_events[3].get(k)}
    assert differs == {"endTime", "pitchData"}
