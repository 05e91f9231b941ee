"""Each alert rule fires on a ledger that real runs made, and stays quiet on a healthy one
(SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fieldhouse import connect, query
from fieldhouse.runs import ledger
from fieldhouse.settings import AlertSettings
from fieldhouse.sources.audits import AuditResult

from .conftest import SCORES, FakeSource, RowsUnit, healthy, names, rows, run, soon

SOURCES = [FakeSource()]


def evaluate(store, **kw):
    now = kw.pop("now", None) or soon(seconds=1)
    return query.alerts(store, store, kw.pop("sources", SOURCES), settings=AlertSettings(**kw), now=now)


def test_a_healthy_ledger_has_no_alert(db_url, settings):
    with connect(db_url) as store:
        assert evaluate(store) == []  # nothing ran yet
        healthy(store, settings, times=4)
        assert evaluate(store) == []
        assert query.ALERT_NAMES == ("run_failed", "source_overdue", "freshness", "stale_rate", "rejected_rows",
                                     "volume_anomaly", "audit_failing", "stale_heartbeat", "schema_drift")


def test_run_failed_for_a_failed_or_partial_last_run_until_a_success(db_url, settings):
    with connect(db_url) as store:
        healthy(store, settings, times=1)
        partial = run(store, settings, RowsUnit("fake/a", rows(3)), RowsUnit("fake/b", [], fail=True))
        [alert] = evaluate(store)
        assert (alert.name, alert.severity, alert.source, alert.run_id) == ("run_failed", "warning", "fake", partial.run_id)
        assert "partial" in alert.message and "the API answered 503" in alert.message
        assert alert.link == f"/api/v1/runs/{partial.run_id}"
        failed = run(store, settings, RowsUnit("fake/c", [], fail=True))  # also retries b: both fail
        [alert] = [a for a in evaluate(store) if a.name == "run_failed"]
        assert (alert.severity, alert.run_id) == ("critical", failed.run_id)
        run(store, settings, RowsUnit("fake/b", rows(3)), RowsUnit("fake/c", rows(3, prefix="c")))
        assert "run_failed" not in names(evaluate(store))


def test_source_overdue_after_its_interval(db_url, settings):
    with connect(db_url) as store:
        healthy(store, settings, times=1)
        assert evaluate(store, now=soon(hours=25)) == []
        [alert] = evaluate(store, now=soon(hours=27))
        assert (alert.name, alert.source, alert.threshold) == ("source_overdue", "fake", 26 * 3600)
        assert alert.value > 26 * 3600 and "has not succeeded within" in alert.message
        assert names(evaluate(store, now=soon(hours=1.5), source_intervals={"fake": 3600})) == ["source_overdue"]
        assert evaluate(store, now=soon(hours=1.5), source_intervals={"other": 3600}) == []


def test_freshness_while_live(db_url, settings):
    old = datetime.now(UTC) - timedelta(hours=5)
    with connect(db_url) as store:
        run(store, settings, RowsUnit("fake/a", rows(5, at=old)), http=0)  # from files: not live
        assert evaluate(store) == []
        run(store, settings, RowsUnit("fake/b", rows(5, at=old, prefix="b")), http=3)  # polling the API, rows change
        [alert] = evaluate(store)
        assert (alert.name, alert.table, alert.threshold) == ("freshness", SCORES.name, 7200)
        assert 5 * 3600 - 60 < alert.value < 5 * 3600 + 60 and "captured_at" in alert.message
        assert evaluate(store, freshness_max_age=6 * 3600) == []
        assert names(evaluate(store, now=soon(hours=2))) == ["freshness"]  # still within the live window ...
        assert evaluate(store, now=soon(hours=2), live_window=3600) == []  # ... unless it is shorter
        assert evaluate(store, now=soon(hours=4)) == []  # no run polled for 4 hours: no games on
        assert evaluate(store, sources=[FakeSource(live=False)]) == []  # the source's own hook wins


def test_stale_rate_links_to_the_conflict_log(db_url, settings):
    with connect(db_url) as store:
        healthy(store, settings, times=1)
        run(store, settings, RowsUnit("fake/new", rows(30, prefix="x")))
        older = datetime.now(UTC) - timedelta(days=1)
        late = run(store, settings, RowsUnit("fake/old", rows(30, at=older, prefix="x")))  # an older copy of each
        assert late.counts()[SCORES.name]["stale"] == 30
        [alert] = evaluate(store)
        assert (alert.name, alert.table, alert.run_id, alert.value) == ("stale_rate", SCORES.name, late.run_id, 1.0)
        assert alert.link == f"/api/v1/runs/{late.run_id}/conflicts"
        assert evaluate(store, stale_min_rows=31) == []


def test_rejected_rows(db_url, settings):
    with connect(db_url) as store:
        healthy(store, settings, times=1)
        bad = [*rows(5), {"k": "nov", "v": 1, "note": "x", "captured_at": None}, {"k": "txt", "v": "many", "captured_at": soon()}]
        report = run(store, settings, RowsUnit("fake/bad", bad))
        [alert] = evaluate(store)
        assert (alert.name, alert.value, alert.run_id) == ("rejected_rows", 2, report.run_id)
        assert evaluate(store, rejected_max=2) == []


def test_volume_anomaly_against_the_median_of_runs_of_its_kind(db_url, settings):
    with connect(db_url) as store:
        healthy(store, settings, times=3, n=40)
        run(store, settings, RowsUnit("fake/big", rows(45, prefix="big")))
        assert evaluate(store) == []
        small = run(store, settings, RowsUnit("fake/small", rows(6, prefix="small")))
        [alert] = evaluate(store)
        assert (alert.name, alert.table, alert.run_id, alert.value, alert.threshold) == (
            "volume_anomaly", SCORES.name, small.run_id, 6, 20)
        assert "median" in alert.message
        # a run of another kind (other arguments) is not compared with these
        run(store, settings, RowsUnit("fake/season", rows(2, prefix="s")), arguments={"season": "2024"})
        assert "volume_anomaly" not in names(evaluate(store))


def test_schema_drift_when_a_filled_column_comes_back_null(db_url, settings):
    with connect(db_url) as store:
        healthy(store, settings, times=3, n=20)
        report = run(store, settings, RowsUnit("fake/renamed", rows(20, note=None, prefix="r")))
        row = ledger.get_run(store, report.run_id)
        assert row["filled"] == {SCORES.name: {"rows": 20, "columns": {"k": 20, "v": 20, "note": 0, "captured_at": 20}}}
        [unit] = ledger.unit_rows(store, report.run_id)
        assert unit["filled"] == row["filled"]
        [alert] = evaluate(store)
        assert (alert.name, alert.table, alert.value, alert.run_id) == ("schema_drift", SCORES.name, 1.0, report.run_id)
        assert "fake.scores.note is NULL in 100% of the 20 rows" in alert.message
        run(store, settings, RowsUnit("fake/back", rows(20, prefix="b")))
        assert evaluate(store) == []


def test_audit_failing(db_url, settings):
    def totals(store):
        return AuditResult("totals_match", False, "2 games whose points do not add up: g1, g2", 10, 2, ["g1", "g2"])

    with connect(db_url) as store:
        report = run(store, settings, RowsUnit("fake/a", rows(3)), audits=[totals])
        assert report.status == "partial"
        alerts = evaluate(store)
        assert names(alerts) == ["run_failed", "audit_failing"]
        assert alerts[1].value == 1 and "totals_match" in alerts[1].message and alerts[1].run_id == report.run_id


def test_stale_heartbeat_of_a_run_that_stopped_beating(db_url, settings):
    with connect(db_url) as store:
        ledger.ensure_ledger(store)
        record = ledger.RunRecord("fake", "sync", {"day": "2024-01-01"})
        record.save(store)  # what a run writes when it starts; then its process froze
        assert evaluate(store) == []
        [alert] = evaluate(store, now=soon(minutes=10))
        assert (alert.name, alert.severity, alert.run_id, alert.threshold) == (
            "stale_heartbeat", "critical", record.run_id, 300)
        assert evaluate(store, now=soon(minutes=10), heartbeat_max_age=900) == []
