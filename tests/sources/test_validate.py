"""Response validation: the recorded fixtures pass, malformed shapes fail."""

from __future__ import annotations

import json

import pytest

from fieldhouse.errors import BadResponseError
from fieldhouse.sources.http import parse_json
from fieldhouse.sources.mlb.validate import mlb_stats
from fieldhouse.sources.nba.validate import nba_stats
from fieldhouse.testing import load_fixture_body


def test_every_recorded_nba_fixture_is_valid(fixtures_dir):
    files = sorted((fixtures_dir / "nba").glob("*/*.json"))
    assert len(files) >= 20
    for file in files:
        nba_stats(file.parent.name, parse_json(file.read_bytes(), file.parent.name))


def test_every_recorded_mlb_envelope_is_valid(fixtures_dir):
    files = sorted((fixtures_dir / "mlb").glob("*/*.pymlb_envelope.json.gz"))
    assert files
    for file in files:
        envelope = json.loads(__import__("gzip").decompress(file.read_bytes()))
        path = envelope["url"].split("/api/", 1)[1].split("?")[0]
        mlb_stats(path, parse_json(load_fixture_body(file), path))


def _log(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "nba/leaguegamelog/leaguegamelog_T_2018-19_playoffs_full.json").read_text())


def test_a_row_narrower_than_its_headers_fails(fixtures_dir):
    data = _log(fixtures_dir)
    data["resultSets"][0]["rowSet"][100].pop()
    with pytest.raises(BadResponseError, match="row 100 has 28 values for 29 headers"):
        nba_stats("leaguegamelog", data)


def test_a_single_result_set_is_accepted(fixtures_dir):
    data = _log(fixtures_dir)
    nba_stats("leaguegamelog", {"resultSet": data["resultSets"][0]})


@pytest.mark.parametrize("endpoint, data, why", [
    ("leaguegamelog", {"resource": "x", "parameters": {}}, "neither resultSets"),
    ("leaguegamelog", {"resultSets": []}, "empty"),
    ("leaguegamelog", {"resultSets": [{"name": "A", "rowSet": []}]}, "no headers"),
    ("leaguegamelog", {"resultSets": [{"name": "A", "headers": ["X"]}]}, "no rowSet"),
    ("scoreboardv3", {"meta": {"version": 1}, "scoreboard": {"gameDate": "2025-11-05"}},
     "scoreboard.games"),
    ("playbyplayv3", {"meta": {"version": 1}}, "no 'game'"),
    ("boxscorefourfactorsv3", {"meta": {"version": 1}}, "without a payload"),
    ("leaguegamelog", [1, 2], "not an object"),
])
def test_malformed_nba_shapes_fail(endpoint, data, why):
    with pytest.raises(BadResponseError, match=why):
        nba_stats(endpoint, data)


@pytest.mark.parametrize("body, why", [
    (b"", "empty"), (b"{}", "empty"), (b"[]", "empty"), (b'{"resultSets": [', "not valid JSON"),
    (b"<html>blocked</html>", "not valid JSON"), (b"\xff\xfe", "not UTF-8"),
])
def test_unparseable_bodies_fail(body, why):
    with pytest.raises(BadResponseError, match=why):
        parse_json(body, "x")


def test_multi_level_headers_use_the_last_level_width():
    data = {"resultSets": {"name": "Shots", "headers": [
        {"name": "SHOT_CATEGORY", "columnsToSkip": 2, "columnSpan": 3, "columnNames": ["A", "B"]},
        {"name": "columns", "columnSpan": 1, "columnNames": list("abcdefgh")},
    ], "rowSet": [list(range(8))]}}
    nba_stats("leaguedashplayershotlocations", data)
    data["resultSets"]["rowSet"].append([1])
    with pytest.raises(BadResponseError):
        nba_stats("leaguedashplayershotlocations", data)
