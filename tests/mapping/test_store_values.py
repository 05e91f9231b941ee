"""Property: any JSON value (or CSV-like text) given to a column of any type becomes a
stored value or a reject with its reason, never an exception, and SQLite and PostgreSQL
store and read back the same values (issue 9, item 2)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fieldhouse
from fieldhouse.mapping import apply_mapping, load_records, parse_mapping

TYPES = ("int", "bigint", "float", "decimal(12,2)", "decimal(15,5)", "text", "bool", "date", "timestamptz", "json")
STAMP = datetime(2024, 5, 1, tzinfo=UTC)
_tables = itertools.count(1)


def _mapping(n: int):
    targets = "".join(
        f"""\
  t{i}:
    table: values_{n}_{i}
    primary_key: id
    version: v
    columns:
      id: {{type: int, path: id}}
      v:  {{type: int, value: 1}}
      x:  {{type: "{type_}", path: x}}
"""
        for i, type_ in enumerate(TYPES)
    )
    return parse_mapping("targets:\n" + targets, "values.yaml")


# Text as a file may hold it: any code point, NUL and lone surrogates (JSON escapes) included.
any_text = st.text(st.characters(exclude_categories=()) | st.sampled_from("\x00\ud800\udfff\xe9\U0001f600"), max_size=12)
csv_like = st.sampled_from([
    "", " 12 ", "-0", "12.50", "1e400", "-1e400", "1e-400", "NaN", "nan", "Infinity", "-inf", "1_000",
    "0x10", "9223372036854775808", "-9223372036854775808", "2147483648", "99999999999.995", "0.000005",
    "2019-04-13", "APR 14, 2024", "0001-01-01", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00",
    "2019-04-13T20:30:00Z", "36:12", "PT36M12.00S", "W", "maybe", "true", "[1, 2]", '{"a": NaN}',
    '"\\u0000"', '"\\ud800"', "[" * 2000 + "]" * 2000, "a\x00b", "1" * 5000,
])
scalar = (
    st.none() | st.booleans() | st.integers() | st.integers(-(2**70), 2**70)
    | st.floats() | any_text | csv_like
)
json_value = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(any_text, inner, max_size=3), max_leaves=6)


def _same(value: Any) -> Any:
    """A read-back value in one comparable form: PostgreSQL returns a JSON number as its
    decimal text reads (1e16 comes back as the integer 10000000000000000), so JSON numbers
    compare as decimals; everything else compares as it is."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return Decimal(repr(value)).normalize()
    if isinstance(value, list):
        return [_same(v) for v in value]
    if isinstance(value, dict):
        return {k: _same(v) for k, v in value.items()}
    return value


def _rows(store, mapping, name: str) -> list[dict]:
    table = mapping.targets[name].table
    rows = store.rows(table)
    if mapping.targets[name].columns["x"].type.name == "json":
        return [{**r, "x": _same(r["x"])} for r in rows]
    return rows


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(values=st.lists(json_value, min_size=1, max_size=6))
def test_any_value_of_any_type_is_stored_alike_or_rejected_with_a_reason(pg_url: str, values: list[Any]) -> None:
    mapping = _mapping(next(_tables))
    records = [{"id": i, "x": v} for i, v in enumerate(values)]
    applied = apply_mapping(mapping, records, STAMP)
    with fieldhouse.connect("sqlite:///:memory:") as lite, fieldhouse.connect(pg_url) as pg:
        on_lite = load_records(lite, mapping, records, STAMP)
        on_pg = load_records(pg, mapping, records, STAMP)
        for name, target in mapping.targets.items():
            table = target.table.name
            for result in (on_lite.tables[table], on_pg.tables[table]):
                assert result.inserted + result.rejected == len(records), (name, result)
                assert result.rejected == len(applied.rejects[name])
            assert on_lite.tables[table].counts() == on_pg.tables[table].counts()
            for reject in applied.rejects[name]:
                assert reject.reason.startswith("column 'x': cannot cast "), reject.reason
            made = applied.rows[name]
            if target.columns["x"].type.name == "json":
                made = [{**r, "x": _same(r["x"])} for r in made]
            assert _rows(lite, mapping, name) == _rows(pg, mapping, name) == made, name
        for done in (on_lite, on_pg):  # (the PostgreSQL quarantine is shared by the examples)
            assert done.quarantine.total == len(done.rejects) and done.quarantine.rejected == 0


@pytest.mark.parametrize("type_", TYPES)
def test_a_value_of_each_kind_reaches_each_type_without_an_exception(db_url: str, type_: str) -> None:
    """One fixed, hostile record per kind of value, on each store (the property above
    explores; this pins the cases that used to crash a load or fail a whole batch)."""
    mapping = _mapping(next(_tables))
    hostile = ["1e400", float("nan"), float("inf"), 10**30, "a\x00b", "\ud800", {"k": "\x00"},
               "0001-01-01T00:00:00+01:00", "[" * 2000 + "]" * 2000, "1" * 5000, [float("nan")]]
    records = [{"id": i, "x": v} for i, v in enumerate(hostile)]
    index = TYPES.index(type_)
    with fieldhouse.connect(db_url) as store:
        done = load_records(store, mapping, records, STAMP)
        result = done.tables[mapping.targets[f"t{index}"].table.name]
        assert result.inserted + result.rejected == len(records)
        assert store.count(mapping.targets[f"t{index}"].table) == result.inserted


@settings(max_examples=80, deadline=None)
@given(values=st.lists(json_value, min_size=1, max_size=8))
def test_rows_a_mapping_cast_are_taken_as_they_are_with_the_same_ranks(values: list[Any]) -> None:
    """A store takes a mapping's rows (CastRow) without casting them again, and gives them
    exactly the rank it gives the same values passed as plain rows (a json value passed
    as its JSON text, the form a plain row gives a document in)."""
    from fieldhouse.stores.prepare import prepare
    from fieldhouse.types import json_text

    mapping = _mapping(0)
    applied = apply_mapping(mapping, [{"id": i, "x": v} for i, v in enumerate(values)], STAMP)
    for name, target in mapping.targets.items():
        rows = applied.rows[name]
        is_json = target.columns["x"].type.name == "json"
        plain_rows = [{**r, "x": json_text(r["x"])} if is_json and r["x"] is not None else dict(r) for r in rows]
        typed, untyped = prepare(target.table, rows), prepare(target.table, plain_rows)
        assert typed.rejects == untyped.rejects == []
        assert typed.rows == untyped.rows
