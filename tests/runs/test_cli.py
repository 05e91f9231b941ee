"""The commands: runs, runs show, status, deadletters, audit, doctor; their JSON and exit codes;
one-sentence errors; run ids and redaction in the log file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fieldhouse import connect
from fieldhouse.cli import app
from fieldhouse.runs import deadletters, execute_run, ledger

from .conftest import SCORES, FakeUnit, fetch_error

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def as_json(result):
    return json.loads(result.stdout)


@pytest.fixture
def history(db_url, settings):
    """Three runs: success, partial (unit b dead-lettered), success with an audit."""
    with connect(db_url) as store:
        ok = execute_run(store, source="fake", command="sync", units=[FakeUnit("a")], settings=settings)
        partial = execute_run(store, source="fake", command="sync", settings=settings,
                              units=[FakeUnit("a"), FakeUnit("b", fail=fetch_error())])
    return db_url, ok.run_id, partial.run_id


def test_runs_json_lists_newest_first(history):
    url, ok, partial = history
    result = invoke("runs", "--json", "--db", url)
    assert result.exit_code == 0
    runs = as_json(result)["runs"]
    assert [r["run_id"] for r in runs] == [partial, ok]
    first = runs[0]
    assert first["status"] == "partial" and first["looks_dead"] is None
    assert first["counts"][SCORES.name]["unchanged"] == 3 and first["units_failed"] == 1
    assert {"started_at", "finished_at", "http_calls", "error", "host", "pid", "heartbeat",
            "arguments", "audit", "fieldhouse_version"} <= set(first)
    assert [r["run_id"] for r in as_json(invoke("runs", "--last", 1, "--json", "--db", url))["runs"]] == [partial]
    assert partial in invoke("runs", "--db", url).stdout


def test_runs_show_json_and_unknown_run(history):
    url, ok, partial = history
    shown = as_json(invoke("runs", "show", partial[:-2], "--json", "--db", url))
    assert shown["run_id"] == partial
    assert [(u["unit_key"], u["status"]) for u in shown["units"]] == [("a", "success"), ("b", "failed")]
    assert "gave up after 5 attempts" in shown["units"][1]["error"]
    text = invoke("runs", "show", partial, "--db", url).stdout
    assert "b" in text and "partial" in text
    missing = invoke("runs", "show", "nope", "--db", url)
    assert missing.exit_code == 2 and "no run 'nope'" in missing.output


def test_status_json(history):
    url, ok, partial = history
    data = as_json(invoke("status", "--json", "--db", url))
    tables = {t["table"]: t for t in data["tables"]}
    assert tables["fieldhouse_runs"]["rows"] == 2
    assert tables["fieldhouse_dead_letters"]["rows"] == 1
    [source] = data["sources"]
    assert source["source"] == "fake" and source["last_run"]["run_id"] == partial
    assert source["last_run"]["status"] == "partial" and source["last_success"]["run_id"] == ok
    assert [r["unit_key"] for r in data["open_dead_letters"]] == ["b"]
    assert data["last_audit"] is None
    invoke("audit", "--source", "nba", "--db", url)
    data = as_json(invoke("status", "--json", "--db", url))
    assert data["last_audit"]["command"] == "audit" and data["last_audit"]["passed"] is True
    assert "open dead letters: 1" in invoke("status", "--db", url).stdout


def test_deadletters_list_and_resolve(history):
    url, ok, partial = history
    [letter] = as_json(invoke("deadletters", "--json", "--db", url))["dead_letters"]
    assert letter["unit_key"] == "b" and letter["status"] == "open" and letter["last_run_id"] == partial
    assert as_json(invoke("deadletters", "list", "--json", "--db", url))["dead_letters"][0]["id"] == letter["id"]
    resolved = invoke("deadletters", "resolve", letter["id"], "--json", "--db", url)
    assert resolved.exit_code == 0 and as_json(resolved)["resolved_by"] == "manual"
    assert as_json(invoke("deadletters", "--json", "--db", url))["dead_letters"] == []
    assert len(as_json(invoke("deadletters", "--all", "--json", "--db", url))["dead_letters"]) == 1
    assert invoke("deadletters", "resolve", "dl-nothing", "--db", url).exit_code == 2
    # dead letters of a source that is not installed say what to do instead
    with connect(url) as store:
        deadletters.record_failure(store, source="fake", unit_key="c", kind="fake", run_id="r",
                                   error="x", traceback=None)
    retry = invoke("deadletters", "retry", "--db", url)
    assert retry.exit_code == 1 and "no source of that name is installed" in retry.output
    assert "deadletters resolve" in retry.output


def test_audit_json_and_exit_code(sqlite_url):
    from .test_audits import audit as load_and_audit
    from .test_audits import good_data

    data = good_data()
    data["nba.games"][0]["home_score"] = None
    load_and_audit(sqlite_url, data)
    result = invoke("audit", "--source", "nba", "--json", "--db", sqlite_url)
    assert result.exit_code == 1
    report = as_json(result)
    assert report["passed"] is False and report["source"] == "nba"
    bad = {r["name"]: r for r in report["results"] if not r["passed"]}
    # (one crafted playoff game is also implausibly few for a finished post-season)
    assert sorted(bad) == ["final_games_have_scores", "final_games_plausible"]
    assert bad["final_games_have_scores"]["keys"] == ["0041800406"]
    with connect(sqlite_url) as store:
        run = ledger.get_run(store, report["run_id"])
    assert run["command"] == "audit" and run["status"] == "failed" and "final_games_have_scores" in run["error"]
    scoped = invoke("audit", "--source", "nba", "--season", "2017-18", "--json", "--db", sqlite_url)
    assert scoped.exit_code == 0 and as_json(scoped)["season"] == "2017-18"


def test_doctor(sqlite_url, tmp_path):
    ok = invoke("doctor", "--source", "nba", "--archive", tmp_path, "--json", "--db", sqlite_url)
    assert ok.exit_code == 0
    assert [(c["name"], c["status"]) for c in as_json(ok)["checks"]] == [
        ("database", "ok"), ("schema", "ok"), ("api", "skipped")]
    missing = invoke("doctor", "--source", "nba", "--archive", tmp_path / "nope", "--db", sqlite_url)
    assert missing.exit_code == 1 and "does not exist" in missing.output
    with connect(sqlite_url) as store:
        ledger.set_meta(store, "schema_version", "99")
    newer = invoke("doctor", "--source", "nba", "--archive", tmp_path, "--json", "--db", sqlite_url)
    assert newer.exit_code == 1
    [schema] = [c for c in as_json(newer)["checks"] if c["name"] == "schema"]
    assert schema["status"] == "failed" and "upgrade fieldhouse" in schema["detail"]


def test_doctor_unreachable_database(tmp_path):
    down = invoke("doctor", "--source", "nba", "--archive", tmp_path, "--json", "--db", "postgresql://nobody:s3cret@127.0.0.1:1/x")
    assert down.exit_code == 1
    [db] = [c for c in as_json(down)["checks"] if c["name"] == "database"]
    assert db["status"] == "failed" and "cannot connect" in db["detail"] and "s3cret" not in down.output


def test_doctor_database_not_writable(sqlite_url, settings, monkeypatch):
    from fieldhouse.errors import StoreError
    from fieldhouse.stores.sqlite import SQLiteStore

    def refuse(self, table, rows):
        raise StoreError("upsert into fieldhouse_meta failed, nothing of it was written: attempt to write a readonly database")

    monkeypatch.setattr(SQLiteStore, "upsert", refuse)
    with connect(sqlite_url) as store:
        report = execute_run(store, source="fake", command="sync", units=[FakeUnit("a")], settings=settings)
    assert report.status == "failed" and "database: " in report.error and "readonly" in report.error


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "fieldhouse", *map(str, args)], capture_output=True, text=True,
                          env=dict(os.environ), timeout=60)


def test_user_errors_are_one_sentence_with_exit_codes(tmp_path):
    bad_url = _cli("runs", "--db", "mysql://x@y/z")
    assert bad_url.returncode == 2 and "Traceback" not in bad_url.stderr
    assert "not supported" in bad_url.stderr and len(bad_url.stderr.strip().splitlines()) == 1
    no_folder = _cli("status", "--db", f"sqlite:///{tmp_path}/missing/x.db")
    assert no_folder.returncode == 1 and "does not exist" in no_folder.stderr and "Traceback" not in no_folder.stderr
    usage = _cli("runs", "--last", "zero")
    assert usage.returncode == 2
    season = _cli("audit", "--source", "nba", "--season", "2018", "--db", f"sqlite:///{tmp_path}/x.db")
    assert season.returncode == 2 and "write it as 2018-19" in season.stderr and "Traceback" not in season.stderr


def test_log_file_lines_carry_the_run_id_and_no_secret(tmp_path, sqlite_url, settings):
    import logging

    from fieldhouse.runs.logs import setup_logging

    log_file = tmp_path / "logs" / "fh.log"
    setup_logging("WARNING", str(log_file))
    try:
        unit = FakeUnit("b", fail=RuntimeError("could not reach postgresql://admin:hunter2@db/x"))
        with connect(sqlite_url) as store:
            report = execute_run(store, source="fake", command="sync", units=[unit], settings=settings)
        logging.getLogger("fieldhouse.test").info("outside a run")
    finally:
        setup_logging("WARNING", None)
    lines = [json.loads(line) for line in Path(log_file).read_text().splitlines()]
    in_run = [e for e in lines if e["message"] != "outside a run"]
    assert in_run and all(e["run_id"] == report.run_id for e in in_run)
    assert any("unit b failed" in e["message"] for e in in_run)
    assert [e["run_id"] for e in lines if e["message"] == "outside a run"] == [None]
    assert "hunter2" not in Path(log_file).read_text()
