"""examples/prometheus/alerts.yml is valid (``promtool check rules``), its unit tests pass
(``promtool test rules``), and it covers every alert fieldhouse computes, over the metric
names the service exposes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from fieldhouse.query import ALERT_NAMES

HERE = Path(__file__).resolve().parents[2] / "examples" / "prometheus"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (Debian: prometheus)")


@needs_promtool
@pytest.mark.parametrize("command, path", [("check", "alerts.yml"), ("test", "alerts_test.yml")])
def test_promtool_accepts_the_rules(command, path):
    done = subprocess.run([PROMTOOL, command, "rules", path], cwd=HERE, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_fieldhouse_alert_has_a_rule_over_the_service_metrics():
    rules = [r for g in yaml.safe_load((HERE / "alerts.yml").read_text())["groups"] for r in g["rules"]]
    assert {r["labels"].get("fieldhouse_alert") for r in rules} >= set(ALERT_NAMES)
    metrics = "\n".join(r["expr"] for r in rules)
    for name in ("fieldhouse_rows_written_total", "fieldhouse_runs_total", "fieldhouse_alert_active",
                 "fieldhouse_audits_failing", "fieldhouse_dead_letters_open", "fieldhouse_http_retries_total",
                 "fieldhouse_http_requests_total", "fieldhouse_last_success_timestamp_seconds"):
        assert name in metrics
