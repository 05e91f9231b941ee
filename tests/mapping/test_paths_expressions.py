"""Paths and the expression language on their own."""

from __future__ import annotations

from datetime import date

import pytest

from fieldhouse.mapping import parse_expression, parse_path, register_function, unregister_function
from fieldhouse.mapping.expressions import Env, EvalError, ExpressionSyntaxError
from fieldhouse.mapping.paths import Frame, PathSyntaxError

RECORD = {"gamePk": 7, "odd key": {"x": 1}, "dates": [{"date": "d0", "games": [{"id": "a"}, {"id": "b"}]}]}
DAY = RECORD["dates"][0]
FRAMES = (Frame(RECORD), Frame(DAY, 0, 0), Frame(DAY["games"][1], 1, 1))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("id", "b"),
        (".", {"id": "b"}),
        ("#", 1),
        ("~", 1),
        ("^.date", "d0"),
        ("^#", 0),
        ("^^.gamePk", 7),
        ("$.gamePk", 7),
        ("$.dates[0].games[-1].id", "b"),
        ("$['odd key'].x", 1),
        ('$["odd key"].x', 1),
        ("^.games[5].id", None),  # past the end
        ("id.deeper", None),  # into a scalar
        ("missing", None),
    ],
)
def test_paths_resolve_relative_to_the_current_element(text: str, value: object) -> None:
    assert parse_path(text).resolve(FRAMES) == value


@pytest.mark.parametrize("text", ["", "a..b", ".a", "a[x]", "$#", "a#", "#.x", "a b", "^a"])
def test_bad_paths_are_refused(text: str) -> None:
    with pytest.raises(PathSyntaxError):
        parse_path(text)


def _eval(text: str, **columns: object) -> object:
    expr = parse_expression(text)
    return expr.evaluate(Env(columns.__getitem__, FRAMES, None))


@pytest.mark.parametrize(
    ("text", "columns", "value"),
    [
        ("pts between 0 and 250", {"pts": 121}, True),
        ("pts between 0 and 250", {"pts": 251}, False),
        ("pts not between 0 and 250", {"pts": 251}, True),
        ("home != away", {"home": 1, "away": 1}, False),
        ("a + b * 2 - -c", {"a": 1, "b": 2, "c": 3}, 8),
        ("(a + b) * 2 % 5", {"a": 1, "b": 2}, 1),
        ("a / b", {"a": 3, "b": 2}, 1.5),
        ("s in ('x', 'y')", {"s": "y"}, True),
        ("s not in ('x', 'y')", {"s": "y"}, False),
        ("s is null", {"s": None}, True),
        ("s is not null", {"s": None}, False),
        ("a > 1 and b", {"a": None, "b": True}, None),  # unknown and true is unknown
        ("a > 1 and b", {"a": None, "b": False}, False),  # unknown and false is false
        ("a > 1 or b", {"a": None, "b": True}, True),
        ("not a > 1", {"a": None}, None),
        ("a + 1", {"a": None}, None),
        ("d >= '2024-01-01'", {"d": date(2024, 3, 1)}, True),  # text is cast to the date
        ("n == '12'", {"n": 12}, True),
        ("coalesce(a, b, 3)", {"a": None, "b": None}, 3),
        ("iif(a > 1, 'big', 'small')", {"a": 5}, "big"),
        ("upper(concat(s, '-', 1))", {"s": "ab"}, "AB-1"),
        ("path('^.date')", {}, "d0"),
        ("path('#') + 1", {}, 2),
        ("TRUE and not False", {}, True),
        ("'it\\'s'", {}, "it's"),
    ],
)
def test_expressions(text: str, columns: dict, value: object) -> None:
    assert _eval(text, **columns) == value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("a +", "expected a value"),
        ("a = 1", "unexpected character '='"),
        ("a between 1", "expected 'and'"),
        ("a in 1, 2", "expected '('"),
        ("a is 1", "expected 'null'"),
        ("f(", "expected a value"),
        ("nosuch(1)", "unknown function 'nosuch'"),
        ("path(a)", "path() takes one quoted path"),
        ("path('a..b')", "bad path in path()"),
        ("__import__('os')", "unknown function '__import__'"),
        ("a.b", "unexpected character '.'"),
        ("a[0]", "unexpected character '['"),
        ("lambda: 1", "unexpected character ':'"),
    ],
)
def test_syntax_errors_and_no_python(text: str, words: str) -> None:
    with pytest.raises(ExpressionSyntaxError, match=r".*" + words.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")):
        parse_expression(text)


def test_evaluation_errors_are_reasons_not_crashes() -> None:
    with pytest.raises(EvalError, match="division by zero"):
        _eval("a / b", a=1, b=0)
    with pytest.raises(EvalError, match="cannot cast 'soon' to date"):
        _eval("d > 'soon'", d=date(2024, 1, 1))
    with pytest.raises(EvalError, match="not true or false"):
        _eval("a and b", a=1, b=True)


def test_registered_functions_are_callable_and_their_failures_are_reasons() -> None:
    register_function("halve", lambda x: x / 2)
    register_function("boom", lambda x: 1 / 0)
    try:
        assert _eval("halve(a)", a=9) == 4.5
        with pytest.raises(EvalError, match=r"boom\(\) failed: ZeroDivisionError"):
            _eval("boom(1)")
    finally:
        unregister_function("halve")
        unregister_function("boom")
    with pytest.raises(ValueError, match="reserved"):
        register_function("coalesce", lambda *a: None)
    with pytest.raises(ValueError, match="lower-case identifier"):
        register_function("Bad Name", lambda: None)


def test_expression_reports_what_it_reads() -> None:
    expr = parse_expression("a + coalesce(b, path('^.x')) > captured_at()")
    assert expr.names == {"a", "b"}
    assert [p.text for p in expr.paths] == ["^.x"]
    assert expr.uses_captured_at
