"""An unreachable database or a schema version this fieldhouse does not read: 503 with a
typed body (state ``down``), never a 200 with an error inside; the service opens its
database read-only."""

from __future__ import annotations

import pytest

from fieldhouse.errors import StoreError
from fieldhouse.runs import ledger
from fieldhouse.stores import connect
from fieldhouse.stores.readonly import connect_read_only

from .conftest import client_for

UNREACHABLE = "postgresql://postgres@127.0.0.1:1/nowhere"


def test_unreachable_database_is_503_everywhere_but_healthz():
    with client_for(UNREACHABLE) as c:
        assert c.get("/healthz").status_code == 200
        ready = c.get("/readyz")
        assert ready.status_code == 503 and ready.json()["ready"] is False
        assert ready.json()["database"]["reachable"] is False
        status = c.get("/api/v1/system/status")
        assert status.status_code == 503 and status.json()["state"] == "down"
        assert "unreachable" in status.json()["reasons"][0]
        for path in ("/api/v1/runs", "/api/v1/tables", "/api/v1/deadletters", "/api/v1/audits", "/metrics", "/"):
            assert c.get(path).status_code == 503, path


def test_a_missing_sqlite_file_is_down_and_not_created(tmp_path):
    path = tmp_path / "none.db"
    with client_for(f"sqlite:///{path}") as c:
        assert c.get("/readyz").status_code == 503
    assert not path.exists()


def test_a_newer_schema_version_is_not_ready(filled_sqlite, tmp_path):
    sqlite_url = filled_sqlite
    with connect(sqlite_url) as store:
        ledger.set_meta(store, "schema_version", str(ledger.SCHEMA_VERSION + 1))
    with client_for(sqlite_url) as c:
        ready = c.get("/readyz")
        assert ready.status_code == 503 and "schema version 2" in ready.json()["reason"]
        assert c.get("/api/v1/system/status").json()["state"] == "down"


@pytest.mark.postgres
def test_the_service_stores_refuse_writes(filled_url):
    with connect_read_only(filled_url) as store:
        assert ledger.list_runs(store)
        with pytest.raises(StoreError):
            ledger.set_meta(store, "probe", "x")


def test_a_ledger_written_before_a_column_was_added_stays_readable(filled_sqlite):
    """The service cannot add the columns a newer fieldhouse declares (the next run does):
    it reads them as NULL."""
    import sqlite3

    path = filled_sqlite.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        conn.execute('ALTER TABLE fieldhouse_runs DROP COLUMN "filled"')
    with client_for(filled_sqlite) as c:
        assert c.get("/api/v1/system/status").json()["state"] == "degraded"
        runs = c.get("/api/v1/runs").json()["runs"]
        assert len(runs) == 2
        assert c.get(f"/api/v1/runs/{runs[0]['run_id']}").status_code == 200
        assert c.get("/metrics").status_code == 200
