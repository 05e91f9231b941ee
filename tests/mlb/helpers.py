"""Shared helpers of the MLB tests: the recorded feeds, and applying the shipped mappings."""

from __future__ import annotations

import copy
import gzip
import json
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import fieldhouse
from fieldhouse.mapping import apply_mapping
from fieldhouse.sources.mlb import schema

from ..conftest import FIXTURES as ALL_FIXTURES

FIXTURES = ALL_FIXTURES / "mlb"
CAPTURED = datetime(2026, 1, 1, tzinfo=UTC)  # a fetch long after every game: must never be a version

#: Every complete final feed: game_pk -> file stem (Final, extra innings, doubleheader, Game Over).
FINAL_FEEDS = {
    717209: "liveGameV1_717209_2023-07-29_Final_20230730_031531",
    717243: "liveGameV1_717243_2023-07-27_Final_20230727_192604",
    718096: "liveGameV1_718096_2023-05-20_Final_20230521_050336",
    718322: "liveGameV1_718322_2023-05-03_Final_20230504_015306",
    718385: "liveGameV1_718385_2023-04-29_Final_20230429_232938",
    718594: "liveGameV1_718594_2023-04-13_Final_20230413_194828",
    744914: "liveGameV1_744914_2024-07-01_Final_20240701_214404",
    745455: "liveGameV1_745455_2024-09-07_Final_20240907_201112",
    745560: "liveGameV1_745560_2024-06-28_Final_20240629_003613",
    746467: "liveGameV1_746467_2024-05-29_Final_20240529_185618",
    748549: "liveGameV1_748549_2023-10-22_Final_20231023_031121",
    747175: "liveGameV1_747175_no_timecode.pymlb_envelope",
    717204: "liveGameV1_717204_2023-07-30_Final-GameOver_20230730_203139",
}
LIVE_717209 = "liveGameV1_717209_2023-07-29_Live_20230730_010847"
LIVE_746139_OLD = "liveGameV1_746139_2024-06-11_Live_20240612_041248"
LIVE_746139_NEW = "liveGameV1_746139_2024-06-11_Live_20240612_042717"
CANCELLED = "liveGameV1_778826_2025-03-07_Cancelled_20250308_023125"
PREVIEW = "liveGameV1_746799_2024-05-14_Preview_20240514_013518"
DELAYED_START = "liveGameV1_717215_2023-07-29_Preview-DelayedStart_20230729_223110"
WARMUP_DH2 = "liveGameV1_746468_2024-05-29_Live-Warmup_20240529_192354"


def read_json(path: Path) -> Any:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    body = json.loads(data.decode("utf-8-sig"))
    return body["response"] if isinstance(body, dict) and "response" in body and "endpoint" in body else body


@cache
def _feed(stem: str) -> Any:
    [path] = [p for p in (FIXTURES / "liveGameV1").iterdir() if p.name.startswith(stem + ".")]
    return read_json(path)


def feed(stem: str) -> dict[str, Any]:
    """A recorded feed by file stem (a fresh copy: tests may change it)."""
    return copy.deepcopy(_feed(stem))


def fixture(relative: str) -> Any:
    return read_json(FIXTURES / relative)


def feed_rows(data: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Rows per table of one feed through the four feed mappings (asserting no rejects)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for mapping in schema.feed_mappings():
        applied = apply_mapping(mapping, [data], CAPTURED)
        assert applied.all_rejects() == [], [r.reason for r in applied.all_rejects()]
        for name in mapping.order:
            out[mapping.targets[name].table.name] = applied.rows[name]
    return out


def load_feed(store: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Write one feed (all its tables, one transaction): results per table."""
    results: dict[str, Any] = {}
    with store.transaction():
        for mapping in schema.feed_mappings():
            results.update(fieldhouse.load_records(store, mapping, [data], captured_at=CAPTURED).tables)
    return results


def load_endpoint(store: Any, kind: str, data: Any, captured_at: datetime = CAPTURED) -> Any:
    return fieldhouse.load_records(store, schema.mapping(schema.ENDPOINT_MAPPINGS[kind]), [data], captured_at=captured_at)
