"""``Store.delete_rows``, which the raw zone's retention uses: only the rows asked for go,
and a whole table is never deleted."""

from __future__ import annotations

import pytest

import fieldhouse


def test_delete_rows_deletes_what_is_asked_and_never_a_whole_table(db_url):
    table = fieldhouse.Table("watch_prune", columns={"k": "text", "n": "int", "v": "int"},
                             primary_key=["k", "n"], version="v")
    with fieldhouse.connect(db_url) as store:
        store.ensure_table(table)
        store.upsert(table, [{"k": k, "n": n, "v": 1} for k in ("a", "b") for n in range(3)])
        assert store.delete_rows(table, {"k": "a", "n": 1}) == 1
        assert store.delete_rows(table, {"k": "b", "n": ("<", 2)}) == 2
        assert store.delete_rows(table, {"k": "zzz"}) == 0
        with pytest.raises(fieldhouse.SchemaError, match="a whole table is never deleted"):
            store.delete_rows(table, {})
        assert sorted((r["k"], r["n"]) for r in store.rows(table)) == [("a", 0), ("a", 2), ("b", 2)]
