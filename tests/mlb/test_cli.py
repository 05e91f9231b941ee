"""The MLB source through the command line: ``fieldhouse sync mlb``, ``backfill mlb``,
``audit --source mlb``, ``deadletters retry``, ``replay --source mlb`` and ``status``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from fieldhouse.cli import app
from fieldhouse.testing import FakeStatsServer

from .helpers import FINAL_FEEDS
from .test_sync import FEED_PATH, feed_file, rows
from .test_sync import server as server  # noqa: F401  (the fixture)

runner = CliRunner()


def _env(srv: FakeStatsServer) -> dict[str, str]:
    return {"FIELDHOUSE_MLB__BASE_URL": srv.url("/api"), "FIELDHOUSE_MLB__MIN_INTERVAL": "0",
            "FIELDHOUSE_MLB__JITTER": "0", "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "1", "FIELDHOUSE_LOG_FILE": ""}


def _run(srv: FakeStatsServer, *args: str):
    return runner.invoke(app, list(args), env=_env(srv))


def test_sync_by_date_then_audit_replay_and_status(sqlite_url: str, server: FakeStatsServer,
                                                   tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = _run(server, "sync", "mlb", "--date", "2024-07-01", "--db", sqlite_url, "--json")
    # Only 744914's feed of the three games of 2024-07-01 is recorded: a partial run.
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["status"] == "partial"
    assert report["http_calls"] == 1 + 1 + 3  # pre-flight, the schedule, one feed per game
    assert report["tables"]["mlb.schedule"]["inserted"] == 3
    assert report["tables"]["mlb.games"]["inserted"] == 1

    audit = _run(server, "audit", "--source", "mlb", "--games", "744914", "--db", sqlite_url, "--json")
    assert audit.exit_code == 0, audit.output
    audited = json.loads(audit.stdout)
    assert audited["passed"] and len(audited["results"]) == 10
    missing = _run(server, "audit", "--source", "mlb", "--date", "2024-07-01", "--db", sqlite_url)
    assert missing.exit_code == 1 and "744840" in missing.output  # final on the schedule, no game row

    before = {name: rows(sqlite_url, name) for name in ("mlb.games", "mlb.plays", "mlb.pitches")}
    replayed = _run(server, "replay", "--source", "mlb", "--db", sqlite_url, "--json")
    assert replayed.exit_code == 0, replayed.output
    assert json.loads(replayed.stdout)["responses"] == 2  # the schedule and one feed
    assert {name: rows(sqlite_url, name) for name in before} == before

    status = _run(server, "status", "--source", "mlb", "--db", sqlite_url, "--json")
    assert status.exit_code == 0, status.output
    assert "mlb.pitches" in status.stdout and "2024-07-01" in status.stdout


def test_a_failed_game_is_retried_by_deadletters_retry(sqlite_url: str, server: FakeStatsServer,
                                                       tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    server.fail("status", times=1, path=FEED_PATH.format(744914), status=503)
    first = _run(server, "sync", "mlb", "--games", "744914", "--db", sqlite_url, "--json")
    assert first.exit_code != 0
    assert json.loads(first.stdout)["dead_letters"]["opened"]
    assert rows(sqlite_url, "mlb.games") == []
    retried = _run(server, "deadletters", "retry", "--source", "mlb", "--db", sqlite_url, "--json")
    assert retried.exit_code == 0, retried.output
    assert [g["game_pk"] for g in rows(sqlite_url, "mlb.games")] == [744914]
    again = _run(server, "deadletters", "retry", "--source", "mlb", "--db", sqlite_url, "--json")
    assert again.exit_code == 0 and server.hits(FEED_PATH.format(744914)) == 2  # nothing left to retry


def test_from_files_makes_no_call_at_all(sqlite_url: str, server: FakeStatsServer, tmp_path: Path,
                                         monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "saved"
    folder.mkdir()
    shutil.copy(feed_file(FINAL_FEEDS[717209]), folder)
    result = _run(server, "sync", "mlb", "--from-files", str(folder), "--db", sqlite_url, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["http_calls"] == 0 and server.hits() == 0
    assert [g["game_pk"] for g in rows(sqlite_url, "mlb.games")] == [717209]


def test_bad_usage_is_one_sentence_and_exit_2_before_anything_is_recorded(sqlite_url: str, server: FakeStatsServer,
                                                                          tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    cases = {
        ("sync", "mlb", "--date", "2024-07-01", "--games", "1"): "exactly one of",
        ("sync", "mlb"): "exactly one of",
        ("sync", "mlb", "--dates", "2024-07-02..2024-07-01"): "after the last",
        ("sync", "mlb", "--date", "July 1"): "not a date",
        ("sync", "mlb", "--from-files", str(tmp_path / "nowhere")): "no such file or folder",
        ("sync", "mlb", "--seasons", "2024"): "has no option --seasons",
        ("backfill", "mlb", "--seasons", "2024..2021"): "after the last",
        ("sync", "mlb", "--games", "abc"): "whole numbers",
    }
    for args, says in cases.items():
        result = _run(server, *args, "--db", sqlite_url)
        assert result.exit_code == 2, (args, result.output)
        assert says in result.output and "Traceback" not in result.output, (args, result.output)
    assert server.hits() == 0
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists() or rows(sqlite_url, "mlb.games") == []
