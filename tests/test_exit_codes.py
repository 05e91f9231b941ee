"""The exit-code table of docs/runs.md (0 success, 1 failed at run time, 2 bad usage,
3 partial): each error a user can cause is one sentence with its documented code."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from fieldhouse.cli import app

runner = CliRunner()


def invoke(*args, env=None):
    return runner.invoke(app, [str(a) for a in args], env={"FIELDHOUSE_LOG_FILE": "", **(env or {})})


def one_sentence(result) -> str:
    text = " ".join(result.stderr.split())
    assert "Traceback" not in result.output + result.stderr
    return text


def test_archive_export_to_a_file_is_bad_usage(tmp_path, sqlite_url):
    file = tmp_path / "a.txt"
    file.write_text("x")
    result = invoke("archive", "export", file, "--db", sqlite_url)
    assert result.exit_code == 2, result.output
    assert "it is a file, not a folder" in one_sentence(result)
    under = invoke("archive", "export", file / "sub", "--db", sqlite_url)
    assert under.exit_code == 2, under.output
    assert "cannot create the archive folder" in one_sentence(under)


SETTINGS = {
    "FIELDHOUSE_HTTP_MAX_ATTEMPTS=abc": ("FIELDHOUSE_HTTP_MAX_ATTEMPTS='abc' is not valid: it accepts a whole number of 1 or more"),
    "FIELDHOUSE_HTTP_READ_TIMEOUT=-1": ("FIELDHOUSE_HTTP_READ_TIMEOUT='-1' is not valid: it accepts a number greater than 0"),
    "FIELDHOUSE_LOG_LEVEL=LOUD": ("FIELDHOUSE_LOG_LEVEL='LOUD' is not valid: it accepts one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
}


@pytest.mark.parametrize("assignment", sorted(SETTINGS))
@pytest.mark.parametrize("command", [["runs"], ["status"], ["sync", "nba", "--season", "2018-19"], ["demo"]])
def test_an_invalid_setting_names_the_variable_and_exits_2(assignment, command, tmp_path, sqlite_url):
    name, value = assignment.split("=")
    result = invoke(*command, "--db", sqlite_url, env={name: value})
    assert result.exit_code == 2, result.output
    assert SETTINGS[assignment] in one_sentence(result)
    assert not (tmp_path / "fieldhouse.db").exists()  # nothing ran


@pytest.mark.parametrize(("name", "value", "accepts"), [
    ("FIELDHOUSE_NBA__MIN_INTERVAL", "abc", "a number of 0 or more"),
    ("FIELDHOUSE_NBA__JITTER", "-1", "a number of 0 or more"),
])
def test_an_invalid_source_setting_names_the_variable_and_exits_2(name, value, accepts, sqlite_url):
    result = invoke("sync", "nba", "--season", "2018-19", "--db", sqlite_url, env={name: value})
    assert result.exit_code == 2, result.output
    assert f"{name}={value!r} is not valid: it accepts {accepts}" in one_sentence(result)
    from fieldhouse import connect
    from fieldhouse.runs import ledger

    with connect(sqlite_url) as store:
        assert ledger.list_runs(store) == []  # nothing recorded


def test_an_invalid_setting_from_the_console_script(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "fieldhouse", "runs"], capture_output=True, text=True, cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "abc"}, timeout=60)
    assert proc.returncode == 2 and "FIELDHOUSE_HTTP_MAX_ATTEMPTS" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


UNKNOWN_SOURCE = [
    ["sync", "nope", "--season", "2018-19"],
    ["backfill", "nope", "--seasons", "2018-19"],
    ["replay", "--source", "nope"],
    ["archive", "export", "{tmp}/out", "--source", "nope"],
    ["audit", "--source", "nope"],
    ["doctor", "--source", "nope"],
    ["runs", "--source", "nope"],
    ["deadletters", "--source", "nope"],
    ["deadletters", "list", "--source", "nope"],
    ["deadletters", "retry", "--source", "nope"],
]


@pytest.mark.parametrize("command", UNKNOWN_SOURCE, ids=lambda c: " ".join(c[:2]))
def test_an_unknown_source_exits_2_on_every_command(command, tmp_path, sqlite_url):
    result = invoke(*(a.replace("{tmp}", str(tmp_path)) for a in command), "--db", sqlite_url)
    assert result.exit_code == 2, result.output
    assert "unknown source 'nope': the known sources are" in one_sentence(result)


def test_a_source_with_recorded_runs_may_be_named(sqlite_url):
    from fieldhouse import connect
    from fieldhouse.runs import ledger

    with connect(sqlite_url) as store:
        ledger.ensure_ledger(store)
        ledger.RunRecord("mine", "sync", {}).save(store)
    result = invoke("runs", "--source", "mine", "--json", "--db", sqlite_url)
    assert result.exit_code == 0, result.output


def test_a_missing_archive_folder_is_bad_usage(tmp_path):
    result = invoke("sync", "nba", "--season", "2018-19", "--archive", tmp_path / "nope",
                    "--db", f"sqlite:///{tmp_path / 'x.db'}")
    assert result.exit_code == 2, result.output
    assert "does not exist" in one_sentence(result)
