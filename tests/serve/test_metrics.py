"""``/metrics``: Prometheus text computed from the ledger at scrape time, parsed back with
prometheus_client's own parser; names follow the conventions (prefix, _total, _seconds)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from prometheus_client.parser import text_string_to_metric_families

from fieldhouse.serve.bridge import ALERT_NAMES

from .conftest import client_for, run_cli

pytestmark = pytest.mark.postgres


def samples(text: str) -> dict[str, list]:
    found: dict[str, list] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def value(found: dict[str, list], name: str, **labels: str) -> float:
    [match] = [s.value for s in found[name] if all(s.labels.get(k) == v for k, v in labels.items())]
    return match


def test_metrics_are_prometheus_text_from_the_ledger(client, filled_url):
    answer = client.get("/metrics", follow_redirects=False)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    found = samples(answer.text)
    assert all(name.startswith("fieldhouse_") for name in found)
    assert value(found, "fieldhouse_rows_written_total", table="mlb.teams", outcome="inserted") == 30
    assert value(found, "fieldhouse_rows_written_total", table="mlb.games", outcome="stale") == 2
    assert value(found, "fieldhouse_runs_total", source="mlb", status="success") == 1
    assert value(found, "fieldhouse_runs_total", source="mlb", status="failed") == 1
    assert value(found, "fieldhouse_last_run_timestamp_seconds", source="mlb") > 1.7e9
    assert value(found, "fieldhouse_last_run_duration_seconds", source="mlb") >= 0
    assert value(found, "fieldhouse_last_success_timestamp_seconds", source="mlb") > 1.7e9
    assert value(found, "fieldhouse_http_requests_total", host="statsapi.mlb.com") == 0
    assert value(found, "fieldhouse_dead_letters_open") == 2
    assert value(found, "fieldhouse_table_freshness_seconds", table="mlb.games") > 0
    assert value(found, "fieldhouse_audits_failing") == 0
    assert value(found, "fieldhouse_database_up") == 1
    assert {s.labels["alert"] for s in found["fieldhouse_alert_active"]} == set(ALERT_NAMES)
    assert value(found, "fieldhouse_alert_active", alert="run_failed") == 1
    assert value(found, "fieldhouse_alert_active", alert="audit_failing") == 0

    run_cli("demo", "mlb", "--db", filled_url)  # computed at scrape time: a new run counts at once
    again = samples(client.get("/metrics").text)
    assert value(again, "fieldhouse_runs_total", source="mlb", status="success") == 2
    assert value(again, "fieldhouse_rows_written_total", table="mlb.teams", outcome="unchanged") == 30
    assert value(again, "fieldhouse_alert_active", alert="run_failed") == 0


def test_metrics_path_is_exact():
    with client_for("sqlite:///:memory:") as c:
        assert c.get("/metrics/", follow_redirects=False).status_code == 404


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool (Debian's prometheus) is not installed")
def test_promtool_finds_nothing_to_lint(filled_sqlite):
    with client_for(filled_sqlite) as c:
        text = c.get("/metrics").text
    checked = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
    assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout + checked.stderr
