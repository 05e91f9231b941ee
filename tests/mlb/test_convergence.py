"""Real captures of real games, applied in any order and any number of times, end in the same
tables: each game's newest capture (and, for two captures with one time stamp, the same
one whatever the order)."""

from __future__ import annotations

import uuid
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldhouse
from fieldhouse.mapping import Applied, apply_mapping, write_applied
from fieldhouse.sources.mlb import schema

from .helpers import CAPTURED, FINAL_FEEDS, LIVE_717209, LIVE_746139_NEW, LIVE_746139_OLD, feed

CAPTURES = (
    LIVE_717209, FINAL_FEEDS[717209], LIVE_746139_OLD, LIVE_746139_NEW,
    FINAL_FEEDS[747175], "liveGameV1_747175_timecode_20241027_000000.pymlb_envelope",  # one time stamp, 15 start times differ
)


@cache
def _applied(stem: str) -> tuple[Applied, ...]:
    data = feed(stem)
    return tuple(apply_mapping(m, [data], CAPTURED) for m in schema.feed_mappings())


def _load(url: str, stems: list[str]) -> dict[str, list[dict]]:
    with fieldhouse.connect(url) as store:
        for stem in stems:
            with store.transaction():
                for applied in _applied(stem):
                    write_applied(store, applied, CAPTURED)
        return {name: store.rows(table) for name, table in schema.tables().items() if store.table_exists(table)}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(CAPTURES), min_size=1, max_size=8))
def test_any_order_any_repeats_converge(tmp_path: Path, order: list[str]) -> None:
    got = _load(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db", order)
    canonical = _load(f"sqlite:///{tmp_path / uuid.uuid4().hex}.db", sorted(set(order)))
    assert got == canonical
    newest: dict[int, str] = {}  # game -> the stem of its newest capture, by the feed's own time stamp
    for stem in sorted(set(order)):
        data = feed(stem)
        best = newest.get(data["gamePk"])
        if best is None or data["metaData"]["timeStamp"] > feed(best)["metaData"]["timeStamp"]:
            newest[data["gamePk"]] = stem
    assert got["mlb.games"] == sorted((_applied(s)[0].rows["games"][0] for s in newest.values()), key=lambda g: g["game_pk"])
    plays = {pk: sorted(r["at_bat_index"] for r in got["mlb.plays"] if r["game_pk"] == pk) for pk in newest}
    assert plays == {pk: sorted(r["at_bat_index"] for r in _applied(s)[1].rows["plays"]) for pk, s in newest.items()}
