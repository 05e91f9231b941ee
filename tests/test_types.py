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
