"""Runs over a data store and a control store (SPEC-capabilities.md) that cannot share a
transaction: a unit commits its data first and its control rows second, and a crash
between the two is repaired by the next run (tests/nba/test_data_and_control.py runs a
real sync over two databases)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import fieldhouse
from fieldhouse import connect
from fieldhouse.runs import deadletters, execute_run, ledger
from fieldhouse.sources.watermarks import get_watermark
from fieldhouse.stores import Capabilities
from fieldhouse.stores.roles import Stores

from .conftest import SCORES, FakeUnit


@dataclass(frozen=True)
class _NoSharedTransactions:
    multi_table_transactions: bool = False
    control: bool = True


class OneTableTransactions:
    """A store that says it cannot make several tables' writes one transaction (as the
    coming Delta Lake store); it can fail the first success record of a unit on purpose."""

    capabilities = _NoSharedTransactions()

    def __init__(self, store, fail_success_record: bool = False) -> None:
        self._store = store
        self.fail_success_record = fail_success_record

    def __getattr__(self, name):
        return getattr(self._store, name)

    def upsert(self, table, rows, **kw):
        rows = list(rows)
        if self.fail_success_record and table is ledger.UNITS_TABLE and rows[0]["status"] == "success":
            self.fail_success_record = False
            raise RuntimeError("lost the control store between the two commits")
        return self._store.upsert(table, rows, **kw)


def test_stores_share_a_transaction_only_when_they_can():
    class Plain:  # a store that can hold everything in one transaction, as SQLite can
        capabilities = Capabilities(multi_table_transactions=True, locks=True, control=True)

    store = Plain()
    assert Stores.of(store).shared
    assert not Stores.of(store, Plain()).shared
    assert not Stores.of(OneTableTransactions(store)).shared


@pytest.mark.parametrize("shared", [True, False])
def test_a_crash_between_data_and_control_is_repaired_by_the_next_run(sqlite_url, settings, shared):
    with connect(sqlite_url) as plain:
        store = OneTableTransactions(plain, fail_success_record=True)
        if shared:
            store.capabilities = _NoSharedTransactions(multi_table_transactions=True)
        first = execute_run(store, source="fake", command="sync", units=[FakeUnit("a")], settings=settings)
        assert first.status == "failed" and "lost the control store" in first.error
        # one transaction: nothing of the unit stays; data first: its rows are already in
        assert (plain.count(SCORES) if plain.table_exists(SCORES) else 0) == (0 if shared else 3)
        assert get_watermark(plain, "fake", "a") is None
        [letter] = deadletters.list_letters(plain)
        again = execute_run(store, source="fake", command="sync", units=[FakeUnit("a")], settings=settings)
        assert again.status == "success" and again.dead_letters_closed == [letter["unit_key"]]
        result = again.tables[SCORES.name]
        assert (result.inserted, result.unchanged) == ((3, 0) if shared else (0, 3))
        assert plain.count(SCORES) == 3 and str(get_watermark(plain, "fake", "a")) == "2024-01-01"


def test_a_store_that_cannot_hold_control_tables_is_refused_as_control(sqlite_url, settings):
    @dataclass(frozen=True)
    class DataOnly:
        multi_table_transactions: bool = False
        control: bool = False

    with connect(sqlite_url) as plain:
        lake = OneTableTransactions(plain)
        lake.capabilities = DataOnly()
        with pytest.raises(fieldhouse.ConfigError, match="cannot hold fieldhouse's control tables"):
            execute_run(lake, source="fake", command="sync", units=[FakeUnit("a")], settings=settings)
        report = execute_run(lake, control=plain, source="fake", command="sync", units=[FakeUnit("a")],
                             settings=settings)
        assert report.status == "success" and plain.count(SCORES) == 3
