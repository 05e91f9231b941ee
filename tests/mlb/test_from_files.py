"""``fieldhouse.sync("mlb", from_files=DIR)``: a folder of recorded responses (plain, gzipped, envelopes,
any names) through the same handlers as online, each feed captured at its own
metaData.timeStamp; every unusable file reported as a failed unit with its reason, and
nothing of it stored."""

from __future__ import annotations

import gzip
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import fieldhouse
from fieldhouse.settings import Settings
from fieldhouse.sources.mlb import schema
from fieldhouse.sources.mlb.plan import season_window
from fieldhouse.sources.raw import raw_responses
from fieldhouse.testing.fakeserver import load_fixture_body

from .helpers import FINAL_FEEDS, FIXTURES, LIVE_717209
from .test_sync import SCHEDULE_JULY_1, SEASONS_2024, feed_file

TEAMS_2024 = FIXTURES / "teams" / "teams_season-2024_sportId-1.pymlb_envelope.json.gz"
ENVELOPE_747175 = FIXTURES / "liveGameV1" / "liveGameV1_747175_timecode_20241027_000000.pymlb_envelope.json.gz"
TRIMMED = FIXTURES / "liveGameV1" / "liveGameV1_715720_2022WS_G5_TRIMMED.json"


def _folder(root: Path) -> Path:
    folder = root / "saved"
    (folder / "feeds").mkdir(parents=True)
    shutil.copy(feed_file(FINAL_FEEDS[744914]), folder / "feeds" / "game.gz")           # gzipped, any name
    (folder / "feeds" / "plain.json").write_bytes(gzip.decompress(feed_file(FINAL_FEEDS[745560]).read_bytes()))
    shutil.copy(ENVELOPE_747175, folder / "feeds" / "envelope.bin")                      # a pymlb envelope
    shutil.copy(feed_file(FINAL_FEEDS[717209]), folder / "feeds" / "x1_final.gz")       # newer first,
    shutil.copy(feed_file(LIVE_717209), folder / "feeds" / "x2_live.gz")                # then the older
    shutil.copy(SCHEDULE_JULY_1, folder / "schedule.json")
    shutil.copy(TEAMS_2024, folder / "teams.gz")
    shutil.copy(SEASONS_2024, folder / "seasons.gz")
    whole = gzip.decompress(feed_file(FINAL_FEEDS[745455]).read_bytes())
    (folder / "bad" ).mkdir()
    (folder / "bad" / "cut.json").write_bytes(whole[: len(whole) // 2])
    shutil.copy(TRIMMED, folder / "bad" / "trimmed.json")
    (folder / "bad" / "notes.txt").write_text("not a response\n")
    return folder


def test_a_folder_of_recorded_responses_lands_through_the_same_handlers(db_url: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    settings = Settings(database_url=db_url, mlb_base_url="http://127.0.0.1:9/api")  # never called
    report = fieldhouse.sync("mlb", settings, from_files=folder)
    outcome = {Path(u.key.split("/", 2)[2]).name: u for u in report.units}
    assert {name for name, u in outcome.items() if u.status == "failed"} == {"cut.json", "trimmed.json", "notes.txt"}
    assert "not JSON" in outcome["cut.json"].error
    assert "trimmed" in outcome["trimmed.json"].error
    assert report.http_calls == 0
    with fieldhouse.connect(db_url) as store:
        stored = list(raw_responses(store, source="mlb"))
        games = {g["game_pk"]: g for g in store.rows(schema.tables()["mlb.games"])}
        teams = store.rows(schema.tables()["mlb.teams"])
        window = season_window(store, "2024")
    # 5 feeds (the older 717209 capture lands too: the raw zone keeps every capture),
    # the schedule, the teams, the seasons; nothing of the three bad files.
    assert sorted(r.endpoint for r in stored) == ["feed/live"] * 5 + ["schedule", "seasons", "teams"]
    assert set(games) == {744914, 745560, 747175, 717209}
    assert games[717209]["status"] == "final"  # the older Live capture, read after it, changed nothing
    assert outcome["x2_live.gz"].status == "success"
    assert all(r.inserted == r.updated == 0 for r in outcome["x2_live.gz"].tables.values())
    assert len(teams) == 30
    feed_744914 = next(r for r in stored if r.params == {"gamePk": "744914"})
    assert feed_744914.captured_at == datetime(2024, 7, 1, 21, 44, 4, tzinfo=UTC)  # its metaData.timeStamp
    assert window == (date(2024, 2, 22), date(2024, 10, 30))  # from the recorded seasons response


def test_reading_the_same_folder_again_changes_nothing(sqlite_url: str, tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    settings = Settings(database_url=sqlite_url)
    fieldhouse.sync("mlb", settings, from_files=folder)
    again = fieldhouse.sync("mlb", settings, from_files=folder)
    assert all(r.inserted == r.updated == r.deleted == 0 for r in again.tables.values())
    assert sum(r.unchanged for r in again.tables.values()) > 0


def test_a_bad_file_is_retried_only_by_a_run_that_reads_it_again(sqlite_url: str, tmp_path: Path) -> None:
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "notes.txt").write_text("not a response\n")
    settings = Settings(database_url=sqlite_url)
    fieldhouse.sync("mlb", settings, from_files=folder)
    other = tmp_path / "two"
    other.mkdir()
    shutil.copy(SEASONS_2024, other / "seasons.gz")
    report = fieldhouse.sync("mlb", settings, from_files=other)
    assert [u.key for u in report.units] == [f"mlb/file/{other / 'seasons.gz'}"]
    assert report.dead_letters_open == 1  # notes.txt: still open, for the run that reads it again
    (folder / "notes.txt").write_bytes(load_fixture_body(SEASONS_2024))  # the user fixed the file
    fixed = fieldhouse.sync("mlb", settings, from_files=folder)
    assert fixed.dead_letters_closed == [f"mlb/file/{folder / 'notes.txt'}"]
