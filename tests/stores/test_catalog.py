"""The catalog of managed tables (fieldhouse_tables): every table ensure_table creates or
changes is listed by store.tables(), whoever created it."""

from __future__ import annotations

import shutil
from pathlib import Path

import fieldhouse
from fieldhouse.mapping import load_mapping
from fieldhouse.sources.files import load_file
from fieldhouse.sources.raw import RAW_TABLE
from fieldhouse.stores.rank import RANK_VERSION

from .helpers import scores_table, ts


def test_every_table_ensure_table_creates_is_listed_with_its_declaration(db_url):
    games = scores_table("nba.games")
    with fieldhouse.connect(db_url) as store:
        assert store.tables() == []
        store.upsert(games, [{"game_id": "g1", "pts": 1, "captured_at": ts(1)}])
        store.ensure_table(RAW_TABLE)
        entries = {e.name: e for e in store.tables()}
    assert set(entries) == {"nba.games", "fieldhouse_raw"}  # the catalog does not list itself
    assert entries["nba.games"].kind == "data" and entries["fieldhouse_raw"].kind == "control"
    entry = entries["nba.games"]
    assert entry.rank_version == RANK_VERSION and entry.created_at == entry.updated_at
    assert entry.table == games  # the declaration rebuilds the table, columns in order
    assert entries["fieldhouse_raw"].table == RAW_TABLE


def test_a_changed_table_is_recorded_again_and_keeps_its_creation_time(db_url):
    old, new = scores_table("evolving"), scores_table("evolving", fg_pct="float")
    with fieldhouse.connect(db_url) as store:
        store.ensure_table(old)
        [first] = store.tables()
        store.ensure_table(old)  # nothing changed: nothing written
        assert store.tables() == [first]
        store.ensure_table(new)
        [second] = store.tables()
    assert second.created_at == first.created_at and second.updated_at > first.updated_at
    assert second.table == new


def test_a_writer_with_an_older_declaration_does_not_hide_added_columns(db_url):
    old, new = scores_table("shared"), scores_table("shared", fg_pct="float")
    with fieldhouse.connect(db_url) as store:
        store.ensure_table(new)
        store.ensure_table(old)
        [entry] = store.tables()
    assert list(entry.table.columns) == [*old.columns, "fg_pct"]


def test_tables_the_file_loader_creates_are_listed(db_url, tmp_path):
    """However a table is created (here by the file loader, with its quarantine), it is in
    the catalog."""
    example = Path(__file__).resolve().parents[2] / "examples" / "payments"
    csv = tmp_path / "payments.csv"
    shutil.copy(example / "payments.csv", csv)
    with fieldhouse.connect(db_url) as store:
        load_file(store, csv, load_mapping(example / "payments.yaml"))
        kinds = {e.name: e.kind for e in store.tables()}
    assert kinds == {"customers": "data", "payments": "data", "fieldhouse_rejects": "control"}
