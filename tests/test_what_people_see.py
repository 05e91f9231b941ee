"""What people see (issue 9 item 13): piped output, --help, a closed pipe, failed audits and
runs, an empty database, run id prefixes, the circuit breaker's message, a second demo."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from fieldhouse.cli import app
from fieldhouse.errors import CircuitOpenError
from fieldhouse.sources.http.breaker import CircuitBreaker
from fieldhouse.sources.http.clock import FakeClock

runner = CliRunner()


def fh(*args, cwd, **env):
    return subprocess.run([sys.executable, "-m", "fieldhouse", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120, env={**os.environ, "FIELDHOUSE_LOG_FILE": "", **env})


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    first = fh("demo", "nba", cwd=folder)
    assert first.returncode == 0, first.stderr
    return folder


def test_piped_tables_are_plain_text_at_full_width(demo_db):
    out = fh("runs", cwd=demo_db).stdout
    assert not set("─│┃━╭╮╰╯┏┓") & set(out)
    header, row = out.splitlines()[1:3]
    assert header.split()[:3] == ["run", "source", "command"]
    assert row.split()[1:3] == ["nba", "demo"] and "success" in row  # one run: one line, never wrapped


def _commands(group, path=()):
    for name, command in sorted(getattr(group, "commands", {}).items()):
        yield (*path, name)
        yield from _commands(command, (*path, name))


def test_help_shows_no_bool_placeholder_and_no_backticks():
    import typer.main

    root = typer.main.get_command(app)
    for path in [(), *_commands(root)]:
        text = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "200"}).output
        assert "<bool>" not in text and "`" not in text, (path, text)


def test_a_reader_that_goes_away_is_not_an_error(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "fieldhouse", "demo"], cwd=tmp_path, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "FIELDHOUSE_LOG_FILE": ""})
    proc.stdout.close()  # as `| head -1` does once it has its line
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_a_failed_audit_prints_once(demo_db, tmp_path):
    db = tmp_path / "bad.db"
    db.write_bytes((demo_db / "fieldhouse.db").read_bytes())
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE nba_games SET home_score = NULL WHERE game_id = '0041800406'")
    result = fh("audit", "--source", "nba", "--db", f"sqlite:///{db}", cwd=tmp_path)
    assert result.returncode == 1
    said = (result.stdout + result.stderr).count("0041800406")
    assert said == 1, result.stdout + result.stderr


def test_audit_on_an_empty_database_says_there_is_nothing_to_audit(tmp_path):
    result = runner.invoke(app, ["audit", "--source", "nba", "--db", f"sqlite:///{tmp_path / 'e.db'}"], env={"FIELDHOUSE_LOG_FILE": ""})
    assert result.exit_code == 0
    assert "nothing to audit" in result.stdout and "passed" not in result.stdout


def test_a_failed_run_prints_no_empty_table_and_a_refused_connection_fails_the_check_at_once(tmp_path):
    env = {"FIELDHOUSE_NBA__BASE_URL": "http://127.0.0.1:9/stats", "FIELDHOUSE_LOG_FILE": "",
           "FIELDHOUSE_HTTP_MAX_ATTEMPTS": "5"}
    result = runner.invoke(app, ["sync", "nba", "--season", "2018-19", "--db", f"sqlite:///{tmp_path / 'f.db'}"],
                           env=env)
    assert result.exit_code == 1
    assert "sync nba: failed (1 HTTP calls): pre-flight failed" in result.stdout  # one attempt, not five
    assert "cannot connect to 127.0.0.1:9" in result.stdout
    assert "inserted" not in result.stdout


def test_runs_show_finds_a_run_by_a_unique_prefix(demo_db):
    [run] = json.loads(fh("runs", "--json", cwd=demo_db).stdout)["runs"]
    shown = fh("runs", "show", run["run_id"][:-3], "--json", cwd=demo_db)
    assert shown.returncode == 0 and json.loads(shown.stdout)["run_id"] == run["run_id"]
    fh("audit", "--source", "nba", cwd=demo_db)  # a second run, started the same day
    both = fh("runs", "show", run["run_id"][:8], cwd=demo_db)
    assert both.returncode == 2 and "give more of it" in both.stderr


def test_the_circuit_breaker_does_not_call_a_run_partial():
    breaker = CircuitBreaker("stats.nba.com", 1, 300, FakeClock())
    breaker.record_failure()
    with pytest.raises(CircuitOpenError) as caught:
        breaker.before_call("leaguegamelog")
    assert "partial" not in str(caught.value) and "not sent" in str(caught.value)


def test_a_second_demo_rereads_only_the_incremental_window(demo_db):
    second = json.loads(fh("demo", "nba", "--json", cwd=demo_db).stdout)
    unchanged = {name: c["unchanged"] for name, c in second["tables"].items()}
    assert unchanged == {"nba.games": 1, "nba.team_game_stats": 2, "nba.player_game_stats": 19,
                         "nba.players": 5103, "nba.teams": 30}  # as the README says
