"""Reading folders of recorded MLB responses: any names, plain or gzipped, bare bodies or
pymlb envelopes; each file recognised by its shape, or reported with the reason."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from fieldhouse.sources.mlb.files import FEED_TIME, FILE_TIME, Recorded, Unusable, read_file, scan

from .helpers import FINAL_FEEDS, FIXTURES, LIVE_746139_NEW, feed, fixture


def test_the_recorded_fixtures_are_recognised() -> None:
    found = list(scan(FIXTURES))
    usable = [r for r in found if isinstance(r, Recorded)]
    kinds = {}
    for r in usable:
        kinds[r.kind] = kinds.get(r.kind, 0) + 1
    assert kinds == {"feed": 26, "schedule": 8, "teams": 1, "people": 5, "boxscore": 2, "linescore": 2,
                     "diff_patch": 2, "play_by_play": 2, "roster": 1, "seasons": 1}
    [trimmed] = [r for r in found if isinstance(r, Unusable)]
    assert trimmed.path.name == "liveGameV1_715720_2022WS_G5_TRIMMED.json"
    assert "scoringPlays refers to play 4 but allPlays has 2" in trimmed.reason
    assert str(trimmed.path) in str(trimmed)
    assert len(found) == sum(len(files) for _, _, files in os.walk(FIXTURES))  # nothing skipped


def test_a_feed_is_captured_at_its_time_stamp() -> None:
    [path] = (FIXTURES / "liveGameV1").glob(LIVE_746139_NEW + ".*")
    got = read_file(path)
    assert isinstance(got, Recorded)
    assert (got.kind, got.params, got.captured_at_from) == ("feed", {"gamePk": 746139}, FEED_TIME)
    assert got.captured_at == datetime(2024, 6, 12, 4, 27, 17, tzinfo=UTC)
    assert got.data["gamePk"] == 746139 and not got.envelope


def test_envelopes_give_their_request() -> None:
    feed_env = read_file(FIXTURES / "liveGameV1" / "liveGameV1_747175_timecode_20241027_000000.pymlb_envelope.json.gz")
    assert isinstance(feed_env, Recorded) and feed_env.envelope
    assert feed_env.params == {"gamePk": 747175, "timecode": "20241027_000000"}
    assert feed_env.captured_at == datetime(2024, 7, 13, 4, 19, 9, tzinfo=UTC)  # the feed's, not the timecode asked
    box = read_file(FIXTURES / "boxscore" / "boxscore_747175.pymlb_envelope.json.gz")
    assert isinstance(box, Recorded) and (box.kind, box.params["gamePk"], box.captured_at_from) == ("boxscore", 747175, FILE_TIME)
    day = read_file(FIXTURES / "schedule" / "schedule_date-2024-10-27_sportId-1.pymlb_envelope.json.gz")
    assert isinstance(day, Recorded) and (day.kind, day.params["date"], day.data["dates"]) == ("schedule", "2024-10-27", [])


def test_bare_bodies_get_their_params_from_the_body() -> None:
    schedule = read_file(FIXTURES / "schedule" / "schedule_startDate-2022-10-11_endDate-2022-10-13_EDITED.json")
    assert isinstance(schedule, Recorded)
    assert schedule.params == {"startDate": "2022-10-11", "endDate": "2022-10-13"}
    patch = read_file(FIXTURES / "diffPatch" / "diffPatch_746139_from-20240612_042717_to-20240612_042758.json")
    assert isinstance(patch, Recorded) and patch.kind == "diff_patch"
    assert (patch.captured_at, patch.captured_at_from) == (datetime(2024, 6, 12, 4, 27, 58, tzinfo=UTC), FEED_TIME)


def test_any_names_plain_or_gzipped_with_or_without_a_bom(tmp_path: Path) -> None:
    data = feed(FINAL_FEEDS[744914])
    text = json.dumps(data)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "game one").write_bytes(gzip.compress(text.encode()))
    (tmp_path / "b.txt").write_text("\ufeff" + text, encoding="utf-8")
    (tmp_path / "teams.bin").write_bytes(gzip.compress(json.dumps(fixture("teams/teams_season-2024_sportId-1.pymlb_envelope.json.gz")).encode()))
    mtime = datetime(2024, 7, 2, 8, 30, tzinfo=UTC).timestamp()
    os.utime(tmp_path / "teams.bin", (mtime, mtime))
    found = list(scan(tmp_path))
    assert [(r.path.name, r.kind) for r in found if isinstance(r, Recorded)] == [
        ("b.txt", "feed"), ("teams.bin", "teams"), ("game one", "feed")]
    teams = found[1]
    assert isinstance(teams, Recorded) and teams.params == {"season": "2024"}
    assert (teams.captured_at, teams.captured_at_from) == (datetime(2024, 7, 2, 8, 30, tzinfo=UTC), FILE_TIME)


def test_every_file_that_cannot_be_used_is_reported_with_its_reason(tmp_path: Path) -> None:
    data = feed(FINAL_FEEDS[744914])
    (tmp_path / "README.md").write_text("# my saved games\n")
    (tmp_path / "empty.json").write_bytes(b"")
    (tmp_path / "cut.json.gz").write_bytes(gzip.compress(json.dumps(data).encode())[:5000])
    (tmp_path / "half.json").write_text(json.dumps(data)[:10000])
    (tmp_path / "latin1.json").write_bytes('{"name": "Pe\xf1a"}'.encode("latin-1"))
    (tmp_path / "other.json").write_text(json.dumps({"stats": []}))
    no_live = dict(data)
    del no_live["liveData"]
    (tmp_path / "no_live.json").write_text(json.dumps(no_live))
    envelope = json.loads(gzip.decompress((FIXTURES / "liveGameV1" / "liveGameV1_747175_no_timecode.pymlb_envelope.json.gz").read_bytes()))
    (tmp_path / "error.json").write_text(json.dumps({**envelope, "status_code": 503}))
    (tmp_path / "wrong_game.json").write_text(json.dumps({**envelope, "path_params": {"game_pk": "747176"}}))
    reasons = {r.path.name: r.reason for r in scan(tmp_path) if isinstance(r, Unusable)}
    assert set(reasons) == {"README.md", "empty.json", "cut.json.gz", "half.json", "latin1.json", "other.json",
                            "no_live.json", "error.json", "wrong_game.json"}
    assert reasons["README.md"].startswith("not JSON")
    assert reasons["empty.json"] == "empty file"
    assert "cannot be decompressed" in reasons["cut.json.gz"]
    assert reasons["half.json"].startswith("not JSON (truncated?)")
    assert "not UTF-8" in reasons["latin1.json"]
    assert "not an MLB Stats API response" in reasons["other.json"] and "stats" in reasons["other.json"]
    assert "a live feed without liveData" in reasons["no_live.json"]
    assert reasons["error.json"] == "the recorded response has HTTP status 503"
    assert "asked for game 747176, the feed is of game 747175" in reasons["wrong_game.json"]


def test_a_missing_folder_is_reported(tmp_path: Path) -> None:
    [missing] = list(scan(tmp_path / "nowhere"))
    assert isinstance(missing, Unusable) and missing.reason == "no such folder"


def test_a_single_file_can_be_scanned(tmp_path: Path) -> None:
    target = tmp_path / "one.json"
    shutil.copy(FIXTURES / "linescore" / "linescore_744914_2024-07-01.json", target)
    [one] = list(scan(target))
    assert isinstance(one, Recorded) and (one.kind, one.params) == ("linescore", {})
