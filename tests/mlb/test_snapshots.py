"""A feed is a snapshot of its game: a newer feed that no longer holds a play (reversed on
review, re-indexed) removes that play and everything under it, and an older feed read
afterwards brings nothing back (issue 11, "Snapshots replace their children")."""

from __future__ import annotations

import copy

import fieldhouse
from fieldhouse.sources.mlb import schema

from .helpers import FINAL_FEEDS, feed, load_feed

CHILDREN = ("mlb.plays", "mlb.pitches", "mlb.play_actions", "mlb.runners", "mlb.runner_credits")


def _reviewed(data: dict) -> dict:
    """A later capture of the same game in which the last play is gone (as after a review
    that takes it back): one second newer, otherwise the real feed."""
    newer = copy.deepcopy(data)
    plays = newer["liveData"]["plays"]
    dropped = plays["allPlays"].pop()
    plays["scoringPlays"] = [i for i in plays.get("scoringPlays", []) if i != dropped["about"]["atBatIndex"]]
    stamp = newer["metaData"]["timeStamp"]
    newer["metaData"]["timeStamp"] = stamp[:-2] + f"{int(stamp[-2:]) + 1:02d}"  # callers keep it below :59
    return newer


def _tables(store) -> dict[str, list[dict]]:
    return {name: store.rows(table) for name, table in schema.tables().items() if store.table_exists(table)}


def _child_rows(got: dict[str, list[dict]], game_pk: int, at_bat: int) -> dict[str, int]:
    return {name: sum(r["game_pk"] == game_pk and r["at_bat_index"] == at_bat for r in got.get(name, []))
            for name in CHILDREN}


def test_a_newer_feed_without_a_play_removes_it_and_an_older_one_brings_nothing_back(db_url, tmp_path):
    final = feed(FINAL_FEEDS[717209])
    if final["metaData"]["timeStamp"].endswith("59"):  # keep the derived copy strictly newer
        final["metaData"]["timeStamp"] = final["metaData"]["timeStamp"][:-2] + "58"
    newer = _reviewed(final)
    last = final["liveData"]["plays"]["allPlays"][-1]["about"]["atBatIndex"]
    with fieldhouse.connect(db_url) as store:
        load_feed(store, final)
        before = _child_rows(_tables(store), 717209, last)
        assert before["mlb.plays"] == 1 and before["mlb.pitches"] > 0

        applied = load_feed(store, newer)
        assert applied["mlb.plays"].deleted == 1
        assert applied["mlb.pitches"].deleted == before["mlb.pitches"]
        assert all(v == 0 for v in _child_rows(_tables(store), 717209, last).values())

        again = load_feed(store, final)  # the older capture, read late
        assert all(r.inserted == r.updated == r.deleted == 0 for r in again.values())
        assert again["mlb.plays"].stale == len(final["liveData"]["plays"]["allPlays"])
        got = _tables(store)

    with fieldhouse.connect(f"sqlite:///{tmp_path / 'alone.db'}") as alone:
        load_feed(alone, newer)
        expected = _tables(alone)
    for name in CHILDREN:  # equal to the newest capture alone, wherever the rows were written
        key = schema.tables()[name].primary_key
        project = [{k: v for k, v in r.items() if k != "written_at"} for r in got[name]]
        want = [{k: v for k, v in r.items() if k != "written_at"} for r in expected[name]]
        assert sorted(project, key=lambda r: [r[k] for k in key]) == sorted(want, key=lambda r: [r[k] for k in key]), name


def test_an_older_feed_first_seen_after_a_newer_one_adds_nothing(db_url):
    final = feed(FINAL_FEEDS[744914])
    if final["metaData"]["timeStamp"].endswith("59"):
        final["metaData"]["timeStamp"] = final["metaData"]["timeStamp"][:-2] + "58"
    newer = _reviewed(final)
    last = final["liveData"]["plays"]["allPlays"][-1]["about"]["atBatIndex"]
    with fieldhouse.connect(db_url) as store:
        load_feed(store, newer)
        late = load_feed(store, final)  # holds a play the newer feed no longer has
        assert all(r.inserted == r.updated == r.deleted == 0 for r in late.values())
        got = _tables(store)
    assert all(v == 0 for v in _child_rows(got, 744914, last).values())
    assert len(got["mlb.plays"]) == len(newer["liveData"]["plays"]["allPlays"])
