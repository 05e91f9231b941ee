"""execute_run: the ledger, unit isolation, dead letters and their retry, exit codes."""

from __future__ import annotations

import pytest

from fieldhouse import connect
from fieldhouse.runs import deadletters, execute_run, ledger
from fieldhouse.sources.audits import AuditResult
from fieldhouse.sources.watermarks import get_watermark

from .conftest import SCORES, FakeUnit, fetch_error


def run(store, settings, units, **kw):
    return execute_run(store, source="fake", command="sync", arguments={"season": "2018-19"},
                       units=units, settings=settings, **kw)


def test_success_is_recorded_with_counts_units_and_http_calls(db_url, settings):
    sent = [0]

    def fetch_counting():
        sent[0] += 2
        return None

    with connect(db_url) as store:
        units = [FakeUnit("a"), FakeUnit("b", rows=2)]
        report = run(store, settings, units, http_calls=lambda: sent[0], api_check=fetch_counting)
        assert (report.status, report.exit_code) == ("success", 0)
        assert report.counts() == {SCORES.name: {"inserted": 5, "updated": 0, "unchanged": 0, "stale": 0, "rejected": 0, "deleted": 0}}
        assert report.http_calls == 2  # the pre-flight's request counts
        row = ledger.get_run(store, report.run_id)
        assert row["status"] == "success" and row["source"] == "fake" and row["command"] == "sync"
        assert row["arguments"] == {"season": "2018-19"}
        assert row["counts"][SCORES.name]["inserted"] == 5
        assert row["finished_at"] >= row["started_at"] and row["heartbeat"] is not None
        assert row["pid"] > 0 and row["host"] and row["fieldhouse_version"]
        assert row["preflight"]["ok"] is True
        units = ledger.unit_rows(store, report.run_id)
        assert [(u["unit_key"], u["status"], u["attempts"]) for u in units] == [("a", "success", 1), ("b", "success", 1)]
        assert units[1]["counts"][SCORES.name]["inserted"] == 2
        again = run(store, settings, [FakeUnit("a"), FakeUnit("b", rows=2)])
        assert again.counts()[SCORES.name]["unchanged"] == 5 and again.run_id != report.run_id


def test_failed_unit_goes_to_dead_letters_and_the_run_is_partial(db_url, settings):
    with connect(db_url) as store:
        report = run(store, settings, [FakeUnit("a"), FakeUnit("b", fail=fetch_error()), FakeUnit("c")])
        assert (report.status, report.exit_code) == ("partial", 3)
        assert report.dead_letters_opened == ["b"] and report.dead_letters_open == 1
        assert "1 of 3 units failed: b: nba leaguegamelog: gave up" in report.error
        assert store.count(SCORES) == 6  # a and c landed
        failed = [u for u in ledger.unit_rows(store, report.run_id) if u["unit_key"] == "b"][0]
        assert failed["status"] == "failed" and "FetchError" in failed["traceback"]
        [letter] = deadletters.list_letters(store)
        assert (letter["source"], letter["unit_key"], letter["status"], letter["attempts"]) == ("fake", "b", "open", 1)
        assert (letter["endpoint"], letter["http_status"], letter["fetch_attempts"]) == ("leaguegamelog", 503, 5)
        assert letter["raw_ref"] == {"endpoint": "leaguegamelog", "status": 503}
        assert letter["first_run_id"] == letter["last_run_id"] == report.run_id
        assert letter["id"].startswith("dl-")
        assert ledger.get_run(store, report.run_id)["status"] == "partial"


def test_next_run_retries_open_dead_letters_first_and_closes_them(db_url, settings):
    with connect(db_url) as store:
        first = run(store, settings, [FakeUnit("b", fail=fetch_error())])
        assert (first.status, first.exit_code) == ("failed", 1)  # every unit failed
        second = run(store, settings, [FakeUnit("b", fail=fetch_error())])
        [letter] = deadletters.list_letters(store)
        assert letter["attempts"] == 2 and letter["last_run_id"] == second.run_id
        assert letter["first_run_id"] == first.run_id
        rebuilt = []

        def unit_for_key(key):
            rebuilt.append(key)
            return FakeUnit(key)

        third = run(store, settings, [FakeUnit("z")], unit_for_key=unit_for_key)
        assert rebuilt == ["b"]
        assert [u.key for u in third.units] == ["b", "z"]  # the dead letter first
        assert third.units[0].attempts == 3
        assert third.status == "success" and third.dead_letters_closed == ["b"]
        assert deadletters.list_letters(store) == []
        [closed] = deadletters.list_letters(store, status="resolved")
        assert closed["resolved_by"] == third.run_id and closed["resolved_at"] is not None


def test_dead_letter_retried_from_the_units_given_without_unit_for_key(db_url, settings):
    with connect(db_url) as store:
        run(store, settings, [FakeUnit("a"), FakeUnit("b", fail=fetch_error())])
        # a later run without unit_for_key: the unit is among its units, retried first
        report = run(store, settings, [FakeUnit("a"), FakeUnit("b")])
        assert [u.key for u in report.units] == ["b", "a"] and report.dead_letters_closed == ["b"]
        # a run that cannot rebuild an open letter leaves it open and says so
        run(store, settings, [FakeUnit("c", fail=fetch_error())])
        report = run(store, settings, [FakeUnit("a")])
        assert report.status == "success" and report.dead_letters_open == 1


def test_a_unit_failing_inside_its_transaction_leaves_nothing_behind(db_url, settings):
    with connect(db_url) as store:
        report = run(store, settings, [FakeUnit("a", fail="write"), FakeUnit("b")])
        assert report.status == "partial"
        assert sorted(r["k"] for r in store.rows(SCORES)) == ["b-0", "b-1", "b-2"]
        assert get_watermark(store, "fake", "a") is None  # rolled back with the rows
        assert get_watermark(store, "fake", "b") is not None
        [letter] = deadletters.list_letters(store)
        assert letter["unit_key"] == "a" and "boom inside the transaction" in letter["error"]
        assert letter["raw_ref"] is None


def test_units_the_source_says_are_done_are_skipped(db_url, settings):
    with connect(db_url) as store:
        run(store, settings, [FakeUnit("a", skip_when_watermarked=True)])
        unit = FakeUnit("a", skip_when_watermarked=True)
        report = run(store, settings, [unit])
        assert unit.fetched == 0 and report.units[0].status == "skipped" and report.status == "success"
        assert ledger.get_run(store, report.run_id)["units_skipped"] == 1


def test_units_callable_is_evaluated_after_preflight_only_if_it_passes(db_url, settings):
    called = []

    def units():
        called.append(1)
        return [FakeUnit("a")]

    def api_down():
        raise ConnectionError("stats.nba.com refused the connection")

    with connect(db_url) as store:
        report = run(store, settings, units, api_check=api_down)
        assert called == [] and (report.status, report.exit_code) == ("failed", 1)
        assert report.error.startswith("pre-flight failed: api: the API host does not answer")
        row = ledger.get_run(store, report.run_id)
        assert row["status"] == "failed" and "stats.nba.com refused" in row["error"]
        assert store.table_exists(SCORES) is False
        assert run(store, settings, units).status == "success" and called == [1]


def test_audits_are_recorded_and_a_failed_audit_makes_the_run_partial(db_url, settings):
    def good(store):
        return AuditResult("good", True, "fine", 1)

    def bad(store):
        return AuditResult("bad", False, "2 games wrong: g1, g2", 5, 2, ["g1", "g2"])

    def crashing(store):
        raise KeyError("home_score")

    with connect(db_url) as store:
        ok = run(store, settings, [FakeUnit("a")], audits=[good])
        assert ok.status == "success" and ledger.get_run(store, ok.run_id)["audit"]["passed"] is True
        report = run(store, settings, [FakeUnit("a")], audits=[good, bad, crashing])
        assert (report.status, report.exit_code) == ("partial", 3)
        audit = ledger.get_run(store, report.run_id)["audit"]
        assert [(r["name"], r["passed"]) for r in audit["results"]] == [("good", True), ("bad", False), ("crashing", False)]
        assert audit["results"][1]["keys"] == ["g1", "g2"]
        assert "could not run: KeyError" in audit["results"][2]["detail"]
        assert "audit bad failed: 2 games wrong" in report.error


def test_exit_codes():
    from fieldhouse.runs import RunReport

    assert [RunReport("r", "s", "c", status=s).exit_code for s in ("success", "failed", "partial")] == [0, 1, 3]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt])
def test_interrupted_run_is_recorded_failed(sqlite_url, settings, interrupt):
    unit = FakeUnit("a", fail=interrupt())
    with connect(sqlite_url) as store:
        with pytest.raises(interrupt):
            run(store, settings, [unit])
        [row] = ledger.list_runs(store)
        assert row["status"] == "failed" and "interrupted" in row["error"]
