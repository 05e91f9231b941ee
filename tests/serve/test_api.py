"""The JSON API over a database a real sync and a failing sync wrote, on SQLite and
PostgreSQL: typed answers, the failed run and its errors, pagination, tables with freshness."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.postgres


def test_status_is_degraded_by_the_failed_run_and_says_why(client):
    answer = client.get("/api/v1/system/status")
    assert answer.status_code == 200
    status = answer.json()
    assert status["state"] == "degraded"
    assert status["database"] == {"reachable": True, "dialect": status["database"]["dialect"],
                                  "schema_version": 1, "expected_schema_version": 1}
    assert any("failed" in r for r in status["reasons"]) and "2 open dead letters" in status["reasons"]
    [mlb] = status["sources"]
    last = mlb["last_run"]
    assert last["status"] == "failed" and last["command"] == "sync" and last["units_failed"] == 2
    assert any("not JSON" in e for e in last["errors"])
    assert mlb["last_success_at"] is not None and mlb["running"] == []
    tables = {t["table"]: t for t in status["tables"]}
    assert tables["mlb.games"]["rows"] == 4 and tables["mlb.games"]["freshness_seconds"] > 0
    assert len(status["open_dead_letters"]) == 2
    assert status["last_audit"]["passed"] is True and status["failing_audits"] == []
    [alert] = [a for a in status["alerts"] if a["name"] == "run_failed"]
    assert alert["severity"] == "critical" and alert["run_id"] == last["run_id"]
    assert alert["link"] == f"/api/v1/runs/{last['run_id']}"
    assert client.get(alert["link"]).status_code == 200
    assert any(r.startswith("alert run_failed") for r in status["reasons"])
    assert client.get("/api/v1/alerts").json() == status["alerts"]


def test_runs_are_paginated_newest_first_and_filtered(client):
    first = client.get("/api/v1/runs", params={"limit": 1}).json()
    assert [r["status"] for r in first["runs"]] == ["failed"] and first["next_cursor"]
    second = client.get("/api/v1/runs", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [(r["command"], r["status"]) for r in second["runs"]] == [("demo", "success")]
    assert second["next_cursor"] is None
    assert [r["status"] for r in client.get("/api/v1/runs", params={"status": "success"}).json()["runs"]] == ["success"]
    assert client.get("/api/v1/runs", params={"source": "elsewhere"}).json()["runs"] == []
    assert client.get("/api/v1/runs", params={"since": "2999-01-01T00:00:00Z"}).json()["runs"] == []
    assert client.get("/api/v1/runs", params={"cursor": "not-a-cursor"}).status_code == 400
    assert client.get("/api/v1/runs", params={"limit": 0}).status_code == 422


def test_one_run_with_units_errors_and_conflicts(client):
    failed = client.get("/api/v1/runs", params={"status": "failed"}).json()["runs"][0]
    run = client.get(f"/api/v1/runs/{failed['run_id']}").json()
    assert len(run["units"]) == 2 and {e["status"] for e in run["errors"]} == {"failed"}
    assert any("not an MLB Stats API response" in e["error"] for e in run["errors"])
    conflicts = client.get(f"/api/v1/runs/{failed['run_id']}/conflicts")
    assert conflicts.status_code == 200 and conflicts.json()["run_id"] == failed["run_id"]
    assert client.get("/api/v1/runs/nope").status_code == 404
    assert client.get("/api/v1/runs/nope/conflicts").json() == {"detail": "no run 'nope'"}


def test_tables_dead_letters_and_audits(client):
    tables = {t["table"]: t for t in client.get("/api/v1/tables").json()}
    assert tables["mlb.teams"]["rows"] == 30 and tables["mlb.pitches"]["newest"]
    letters = client.get("/api/v1/deadletters").json()
    assert sorted(d["unit_key"].rsplit("/", 1)[-1] for d in letters) == ["feed_1.json.gz", "feed_2.json.gz"]
    assert all(d["status"] == "open" for d in letters)
    audits = client.get("/api/v1/audits").json()
    assert audits and all(a["passed"] for a in audits)
    assert client.get("/readyz").json()["ready"] is True
    assert client.get("/healthz").json() == {"status": "ok"}


def test_the_dashboard_pages_render_the_runs_and_the_error(client):
    page = client.get("/")
    assert page.status_code == 200 and "DEGRADED" in page.text and "mlb.games" in page.text
    assert "2 of 2 units failed" in page.text
    failed = client.get("/api/v1/runs", params={"status": "failed"}).json()["runs"][0]
    run_page = client.get(f"/runs/{failed['run_id']}")
    assert run_page.status_code == 200 and "not JSON" in run_page.text and "Conflicts" in run_page.text
    assert client.get("/runs/nope").status_code == 404
    assert client.get("/static/pulse.js").status_code == 200
