"""ensure_table: creation, additive evolution, refused incompatible changes, safe identifiers."""

from __future__ import annotations

import pytest

import fieldhouse
from fieldhouse import IdentifierError, SchemaError

from .helpers import scores_table, ts


def test_dotted_name_is_a_schema_in_postgres_and_a_prefix_in_sqlite(db_url):
    table = scores_table("nba.games")
    with fieldhouse.connect(db_url) as store:
        store.upsert(table, [{"game_id": "g1", "pts": 1, "captured_at": ts(1)}])
        if store.dialect == "delta":  # a folder per dotted part
            found = store.open_table(table).table_uri.rstrip("/").endswith("/nba/games")
        elif store.dialect == "postgresql":
            found = store.conn.execute("SELECT to_regclass('nba.games') IS NOT NULL").fetchone()[0]
        else:
            found = store.conn.execute("SELECT count(*) FROM nba_games").fetchone()[0] == 1
        assert found


def test_adding_a_column_keeps_rows_and_their_rank(db_url):
    old = scores_table("evolving")
    new = scores_table("evolving", fg_pct="float")
    rows = [{"game_id": f"g{i}", "pts": i, "captured_at": ts(1)} for i in range(5)]
    with fieldhouse.connect(db_url) as store:
        store.upsert(old, rows)
        store.ensure_table(new)
        assert all(r["fg_pct"] is None for r in store.rows(new))
        # The same rows again are unchanged: a NULL in a new column does not alter a row's content.
        assert store.upsert(new, rows).unchanged == 5
        assert store.upsert(new, [{**rows[0], "fg_pct": "0.5"}]).updated == 1
        assert store.rows(new)[0]["fg_pct"] == 0.5


@pytest.mark.parametrize(
    ("changed", "message"),
    [
        (dict(columns={"game_id": "text", "team": "text", "pts": "bigint", "captured_at": "timestamptz"}),
         "column pts is"),
        (dict(columns={"game_id": "text", "team": "text", "pts": "int", "captured_at": "timestamptz"},
              primary_key=["game_id", "team"]), "primary key"),
        (dict(columns={"game_id": "text", "team": "text", "pts": "int", "captured_at": "timestamptz",
                       "new_col": "int not null"}), "must be nullable"),
    ],
)
def test_incompatible_changes_fail_and_change_nothing(db_url, changed, message):
    base = dict(columns={"game_id": "text", "team": "text", "pts": "int", "captured_at": "timestamptz"},
                primary_key=["game_id"], version="captured_at")
    original = fieldhouse.Table("stable", **base)
    # The changed declaration also adds a column: it must not be added when the rest is refused.
    declared = {**base, **changed}
    declared["columns"] = {**declared["columns"], "added": "text"}
    changed_table = fieldhouse.Table("stable", **declared)
    with fieldhouse.connect(db_url) as store:
        store.upsert(original, [{"game_id": "g1", "team": "BOS", "pts": 1, "captured_at": ts(1)}])
        with pytest.raises(SchemaError, match=message) as info:
            store.ensure_table(changed_table)
        assert "nothing was changed" in str(info.value) or "cannot change in place" in str(info.value)
        assert set(store.rows(original)[0]) == set(base["columns"])
        extended = fieldhouse.Table("stable", **{**base, "columns": {**base["columns"], "added": "text"}})
        store.ensure_table(extended)
        assert store.rows(extended)[0]["added"] is None


def test_a_table_fieldhouse_did_not_create_is_refused(db_url):
    table = scores_table("foreign_table")
    with fieldhouse.connect(db_url) as store:
        if store.dialect == "delta":  # a Delta table some other tool wrote
            import pyarrow as pa
            from deltalake import write_deltalake

            write_deltalake(store.table_uri(table), pa.table({"game_id": pa.array(["g1"])}))
        else:
            store.conn.execute('CREATE TABLE foreign_table (game_id text primary key)')
        with pytest.raises(SchemaError, match="not created by fieldhouse"):
            store.ensure_table(table)


HOSTILE = 'x"; DROP TABLE t; --'


@pytest.mark.parametrize(
    "make",
    [
        lambda: fieldhouse.Table("t", columns={HOSTILE: "int", "v": "int"}, primary_key=[HOSTILE], version="v"),
        lambda: fieldhouse.Table(HOSTILE, columns={"k": "int", "v": "int"}, primary_key=["k"], version="v"),
        lambda: fieldhouse.Table("a.b.c", columns={"k": "int", "v": "int"}, primary_key=["k"], version="v"),
        lambda: fieldhouse.Table("t", columns={"k": "int", "_fh_hash": "text", "v": "int"}, primary_key=["k"], version="v"),
        lambda: fieldhouse.Table("t", columns={"k": "int", "v": "int", "x" * 64: "int"}, primary_key=["k"], version="v"),
    ],
)
def test_unsafe_identifiers_are_refused(make):
    with pytest.raises(IdentifierError, match="not allowed|reserved|more than one dot"):
        make()


def test_a_hostile_key_in_a_row_is_rejected_not_executed(db_url):
    table = scores_table()
    with fieldhouse.connect(db_url) as store:
        result = store.upsert(table, [{"game_id": "g1", "captured_at": ts(1), HOSTILE: 1}])
        assert result.rejected == 1 and "unknown column" in result.rejects[0].reason
        assert store.count(table) == 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(columns={"k": "int", "v": "integer"}, primary_key=["k"], version="v"), "unknown column type 'integer'"),
        (dict(columns={"k": "int", "v": "int"}, primary_key=["x"], version="v"), "primary key column 'x'"),
        (dict(columns={"k": "int", "v": "int"}, primary_key=["k"], version="w"), "version column 'w'"),
        (dict(columns={"k": "int", "v": "json"}, primary_key=["k"], version="v"), "has type json"),
        (dict(columns={"k": "int", "v": "int"}, primary_key=["k", "v"], version="v"), "cannot be part of the primary key"),
        (dict(columns={"k": "int", "v": "decimal(3,5)"}, primary_key=["k"], version="v"), "decimal"),
        (dict(columns={"k": "int", "v": "int", "w": "int"}, primary_key=["k"], version="v", written_at="w"), "must be timestamptz"),
    ],
)
def test_declaration_mistakes_are_reported(kwargs, message):
    with pytest.raises(SchemaError, match=message):
        fieldhouse.Table("t", **kwargs)


@pytest.mark.parametrize("name", ["pg_catalog.games", "information_schema.games", "pg_toast.games", "PG_Temp.games",
                                  "pg_class", "pg_games", "sqlite_stat1", "sqlite.games"])
def test_a_table_among_the_databases_own_is_refused_on_every_store(name):
    """PostgreSQL's system schemas (and undotted pg_* names, which it looks up in
    pg_catalog first) and SQLite's sqlite_* names are refused with one sentence when the
    table is declared (a mapping fails at load time), whichever store it is meant for."""
    with pytest.raises(IdentifierError) as info:
        fieldhouse.Table(name, columns={"k": "int", "v": "int"}, primary_key=["k"], version="v")
    message = str(info.value)
    assert name in message and "not allowed" in message and message.count(". ") == 0


def test_a_schema_that_only_starts_like_a_system_one_is_fine(db_url):
    table = fieldhouse.Table("pgx.games", columns={"k": "int", "v": "int"}, primary_key=["k"], version="v")
    with fieldhouse.connect(db_url) as store:
        assert store.upsert(table, [{"k": 1, "v": 1}]).inserted == 1
