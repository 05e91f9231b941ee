"""The MLB table declarations the mappings make."""

from __future__ import annotations

from fieldhouse.mapping import schema_sql
from fieldhouse.sources.mlb import schema


def test_every_table_is_declared_once_dimensions_first() -> None:
    tables = schema.tables()
    assert tuple(tables) == schema.TABLE_ORDER
    [from_people] = schema.mapping("people").tables()
    [from_feed] = [t for t in schema.mapping("feed_game").tables() if t.name == "mlb.players"]
    assert from_people == from_feed == tables["mlb.players"]  # two mappings, one declaration


def test_the_children_of_a_game_are_keyed_under_game_pk() -> None:
    tables = schema.tables()
    for name in schema.GAME_CHILDREN:
        key = tables[name].primary_key
        assert key[0] == "game_pk" and len(key) > 1, name
    assert tables["mlb.games"].primary_key == ("game_pk",)


def test_feed_tables_are_versioned_by_the_feed_time() -> None:
    feed_tables = {t.name for m in schema.feed_mappings() for t in m.tables()}
    assert feed_tables == set(schema.TABLE_ORDER) - {"mlb.teams", "mlb.schedule"}
    for name in feed_tables:
        table = schema.tables()[name]
        assert table.version == "updated_at" and table.columns["updated_at"].type.name == "timestamptz", name
    for m in schema.feed_mappings():
        assert not m.uses_captured_at  # a feed's rows never depend on when it was fetched


def test_the_schema_sql_names_the_tables_for_each_dialect() -> None:
    pg = schema_sql(schema.mapping("feed_pitches"), "postgresql")
    assert 'CREATE SCHEMA IF NOT EXISTS "mlb"' in pg and '"mlb"."pitches"' in pg
    assert '"mlb_pitches"' in schema_sql(schema.mapping("feed_pitches"), "sqlite")
