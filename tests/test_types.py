"""The cast rules every value passes through on its way to a column."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from fieldhouse import CastError, cast

GOOD = [
    ("int", "12", 12), ("int", " -3 ", -3), ("int", 7.0, 7), ("int", "12.0", 12), ("int", Decimal("4"), 4),
    ("bigint", str(2**40), 2**40),
    ("float", "0.5", 0.5), ("float", 3, 3.0), ("float", "36:12", pytest.approx(36.2)),
    ("float", "PT36M12.00S", pytest.approx(36.2)), ("float", "-0.0", 0.0),
    ("decimal(5,2)", "1.005", Decimal("1.00")), ("decimal(5,2)", 2.5, Decimal("2.50")),
    ("decimal(5,2)", "36:12", Decimal("36.20")),
    ("text", "abc", "abc"), ("text", 12, "12"), ("text", True, "true"),
    ("bool", "W", True), ("bool", "L", False), ("bool", "true", True), ("bool", "1", True), ("bool", 0, False),
    ("date", "2019-04-13", date(2019, 4, 13)), ("date", "2019-04-13T00:00:00", date(2019, 4, 13)),
    ("date", "APR 14, 2024", date(2024, 4, 14)), ("date", datetime(2019, 4, 13), date(2019, 4, 13)),
    ("timestamptz", "2019-04-13T00:00:00", datetime(2019, 4, 13, tzinfo=UTC)),
    ("timestamptz", "2019-04-13T02:00:00+02:00", datetime(2019, 4, 13, tzinfo=UTC)),
    ("timestamptz", "2019-04-13T00:00:00Z", datetime(2019, 4, 13, tzinfo=UTC)),
    ("timestamptz", date(2019, 4, 13), datetime(2019, 4, 13, tzinfo=UTC)),
    ("json", '{"a": 1}', {"a": 1}), ("json", [1, "x"], [1, "x"]),
]

BAD = [
    ("int", "12.5", "fractional|whole"), ("int", "twelve", "whole number"), ("int", True, "boolean"),
    ("int", str(2**31), "out of range"), ("int", [1], "not a number"),
    ("float", "abc", "not a number"), ("float", "nan", "finite"), ("float", float("inf"), "finite"),
    ("decimal(5,2)", "12345.6", "digits before the point"), ("decimal(5,2)", "x", "not a number"),
    ("text", {"a": 1}, "not text"),
    ("bool", "maybe", "true/false"), ("bool", 2, "true/false"),
    ("date", "13/45/2019", "YYYY-MM-DD"), ("date", "2019-04-13T10:00:00", "time of day"),
    ("timestamptz", "yesterday", "ISO 8601"), ("timestamptz", 1700000000, "not a timestamp"),
    ("json", "{not json", "JSON document"), ("json", {"a": float("nan")}, "not JSON compliant|Out of range"),
]


@pytest.mark.parametrize(("type_name", "given", "expected"), GOOD)
def test_good_casts(type_name, given, expected):
    assert cast(type_name, given) == expected


@pytest.mark.parametrize(("type_name", "given", "why"), BAD)
def test_bad_casts_say_what_and_why(type_name, given, why):
    with pytest.raises(CastError, match=why) as info:
        cast(type_name, given)
    assert f"to {type_name}" in str(info.value)


def test_none_stays_none():
    assert cast("int", None) is None


# Values no store can hold exactly are rejected by the cast, never let through to fail a
# batch, and a cast never raises anything but CastError (issue 9, item 2).
UNHOLDABLE = [
    ("decimal(12,2)", "1e400", "digits before the point"),
    ("decimal(12,2)", Decimal("-1e400"), "digits before the point"),
    ("decimal(12,2)", 10**5000, "digits before the point"),
    ("decimal(5,2)", "999.995", "digits before the point"),  # rounds up to 1000.00
    ("decimal(3,3)", "0.9995", "digits before the point"),
    ("decimal(12,2)", Decimal("sNaN"), "finite"),
    ("int", float("inf"), "finite"), ("int", float("nan"), "finite"),
    ("int", Decimal("Infinity"), "finite"), ("bigint", Decimal("1e999999999"), "out of range"),
    ("bigint", str(2**63), "out of range"), ("bigint", -(2**63) - 1, "out of range"),
    ("bigint", "1" * 5000, "out of range"), ("int", "0" * 5000 + "1" * 12, "out of range"),
    ("float", 10**400, "too large"), ("float", Decimal("sNaN"), "finite"), ("float", "1e400", "finite"),
    ("float", "9" * 5000 + ":00", "not a number"), ("float", "-Infinity", "finite"),
    ("text", "a\x00b", "NUL"), ("text", "caf\xe9\ud800", "lone surrogate"), ("text", 10**5000, "too many digits"),
    ("date", "0001-01-01T00:00:00+01:00", "outside years 1 to 9999"), ("date", "10000-01-01", "YYYY-MM-DD"),
    ("timestamptz", "0001-01-01T00:30:00+01:00", "outside years 1 to 9999"),
    ("timestamptz", "9999-12-31T23:00:00-05:00", "outside years 1 to 9999"),
    ("json", "NaN", "JSON document"), ("json", "[Infinity]", "JSON document"), ("json", "1e400", "not JSON compliant"),
    ("json", {"a": ["\x00"]}, "NUL"), ("json", '"\\u0000"', "NUL"), ("json", {"k\x00": 1}, "NUL"),
    ("json", '"\\ud800"', "lone surrogate"), ("json", "[" * 5000 + "]" * 5000, "nested too deeply"),
    ("json", 10**5000, "digits"),
]


def _id(case: tuple) -> str:
    try:
        shown = repr(case[1])
    except ValueError:  # an int too long to print
        shown = "huge-int"
    return f"{case[0]}-{shown[:30]}"


@pytest.mark.parametrize(("type_name", "given", "why"), UNHOLDABLE, ids=[_id(c) for c in UNHOLDABLE])
def test_values_no_store_can_hold_are_rejected_by_the_cast(type_name, given, why):
    with pytest.raises(CastError, match=why) as info:
        cast(type_name, given)
    assert f"to {type_name}" in str(info.value)


HOLDABLE = [
    ("decimal(38,10)", "12345678901234567890.1234567890", Decimal("12345678901234567890.1234567890")),
    ("decimal(1000,0)", "9" * 1000, Decimal("9" * 1000)),
    ("decimal(5,2)", "-0.001", Decimal("0.00")), ("decimal(5,2)", "999.994", Decimal("999.99")),
    ("int", "-0012", -12), ("bigint", "0" * 5000 + "12", 12), ("bigint", str(2**63 - 1), 2**63 - 1),
    ("json", {"a": "\\u0000"}, {"a": "\\u0000"}), ("json", '"\\\\u0000"', "\\u0000"),  # a backslash, not NUL
    ("json", '"\\ud83d\\ude00"', "\U0001f600"), ("text", "caf\xe9 \U0001f600", "caf\xe9 \U0001f600"),
    ("timestamptz", "0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
    ("date", "9999-12-31", date(9999, 12, 31)),
]


@pytest.mark.parametrize(("type_name", "given", "expected"), HOLDABLE, ids=[_id(c) for c in HOLDABLE])
def test_values_at_the_edges_that_fit(type_name, given, expected):
    assert cast(type_name, given) == expected


def test_timestamp_text_has_four_digit_years_so_text_order_is_time_order():
    from fieldhouse.types import timestamp_text

    early, late = datetime(5, 1, 1, tzinfo=UTC), datetime(1999, 1, 1, tzinfo=UTC)
    assert timestamp_text(early) == "0005-01-01T00:00:00.000000+00:00"
    assert timestamp_text(early) < timestamp_text(late)
