"""The expression language of computed columns, filters and checks.

A tiny hand-written parser (no ``eval``): it accepts exactly this grammar::

    expr    := or
    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=") sum
                   | "not"? "between" sum "and" sum
                   | "not"? "in" "(" expr ("," expr)* ")"
                   | "is" "not"? "null" ]
    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/" | "%") unary)*
    unary   := "-" unary | atom
    atom    := number | 'text' | "text" | true | false | null
             | column-name | function "(" [expr ("," expr)*] ")" | "(" expr ")"

A name is a column of the same target (its value after the cast).  ``path('...')`` reads
the record (see :mod:`fieldhouse.mapping.paths`); ``captured_at()`` is the load's capture
time.  Null behaves as in SQL: comparisons and arithmetic with null give null, ``and``/``or``
are three-valued.  Comparing text with a number, date or timestamp casts the text first.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ..errors import CastError
from ..types import cast
from .functions import lookup
from .paths import Path, PathSyntaxError, parse_path


class ExpressionSyntaxError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


class EvalError(Exception):
    """An expression failed on one row (the row is rejected with this reason)."""


_TOKEN = re.compile(
    r"""\s*(?:
      (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
    | (?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|%|\(|\)|,)
    )""",
    re.X,
)
KEYWORDS = frozenset({"and", "or", "not", "between", "in", "is", "null", "true", "false"})


@dataclass
class Token:
    kind: str  # num, str, name, kw, op, end
    text: str
    offset: int


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            out.append(Token("end", "", i))
            return out
        m = _TOKEN.match(text, i)
        if not m or m.end() == i:
            raise ExpressionSyntaxError(f"unexpected character {text[i]!r} at column {i + 1}", i)
        kind = m.lastgroup or "op"
        value = m[kind]
        start = m.start(kind)
        if kind == "name" and value.lower() in KEYWORDS:
            kind, value = "kw", value.lower()
        out.append(Token(kind, value, start))
        i = m.end()


# ---------------------------------------------------------------------- evaluation

class Env:
    """What an expression sees: the row's columns, the element chain, the capture time."""

    def __init__(self, column: Callable[[str], Any], frames: Any, captured_at: Any) -> None:
        self.column = column
        self.frames = frames
        self.captured_at = captured_at


Fn = Callable[[Env], Any]


def _align(a: Any, b: Any) -> tuple[Any, Any]:
    """Make two values comparable: text meets a typed value by being cast to its type."""
    if isinstance(a, str) and not isinstance(b, str):
        return _cast_like(a, b), b
    if isinstance(b, str) and not isinstance(a, str):
        return a, _cast_like(b, a)
    if isinstance(a, Decimal) and isinstance(b, float):
        return a, Decimal(repr(b))
    if isinstance(b, Decimal) and isinstance(a, float):
        return Decimal(repr(a)), b
    return a, b


def _cast_like(text: str, other: Any) -> Any:
    kind = (
        "bool" if isinstance(other, bool) else
        "timestamptz" if isinstance(other, datetime) else
        "date" if isinstance(other, date) else
        "decimal(38,10)" if isinstance(other, Decimal) else
        "float" if isinstance(other, int | float) else None
    )
    if kind is None:
        return text
    try:
        return cast(kind, text)
    except CastError as exc:
        raise EvalError(str(exc)) from None


def _binary(op: Callable[[Any, Any], Any], symbol: str) -> Callable[[Fn, Fn], Fn]:
    def build(left: Fn, right: Fn) -> Fn:
        def run(env: Env) -> Any:
            a, b = left(env), right(env)
            if a is None or b is None:
                return None
            a, b = _align(a, b)
            try:
                return op(a, b)
            except (TypeError, ArithmeticError, ValueError) as exc:
                raise EvalError(f"{_show(a)} {symbol} {_show(b)}: {exc}") from None
        return run
    return build


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


BINARY = {
    "==": _binary(operator.eq, "=="), "!=": _binary(operator.ne, "!="),
    "<": _binary(operator.lt, "<"), "<=": _binary(operator.le, "<="),
    ">": _binary(operator.gt, ">"), ">=": _binary(operator.ge, ">="),
    "+": _binary(operator.add, "+"), "-": _binary(operator.sub, "-"),
    "*": _binary(operator.mul, "*"), "/": _binary(operator.truediv, "/"), "%": _binary(operator.mod, "%"),
}


def _and(parts: list[Fn]) -> Fn:
    def run(env: Env) -> Any:
        unknown = False
        for part in parts:
            v = part(env)
            if v is None:
                unknown = True
            elif not _truth(v):
                return False
        return None if unknown else True
    return run


def _or(parts: list[Fn]) -> Fn:
    def run(env: Env) -> Any:
        unknown = False
        for part in parts:
            v = part(env)
            if v is None:
                unknown = True
            elif _truth(v):
                return True
        return None if unknown else False
    return run


def _truth(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise EvalError(f"{_show(value)} is not true or false")


def _not(inner: Fn) -> Fn:
    def run(env: Env) -> Any:
        v = inner(env)
        return None if v is None else not _truth(v)
    return run


# ------------------------------------------------------------------------- parsing

@dataclass
class Expression:
    """A parsed expression: ``names`` are the columns it reads, ``paths`` the record paths."""

    text: str
    fn: Fn
    names: set[str] = field(default_factory=set)
    paths: list[Path] = field(default_factory=list)
    functions: set[str] = field(default_factory=set)
    uses_captured_at: bool = False

    def evaluate(self, env: Env) -> Any:
        return self.fn(env)

    def __str__(self) -> str:
        return self.text


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.pos = 0
        self.expr = Expression(text, lambda env: None)

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def at(self, kind: str, text: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (text is None or tok.text == text)

    def expect(self, kind: str, text: str) -> Token:
        if not self.at(kind, text):
            raise self.error(f"expected {text!r}")
        return self.take()

    def error(self, message: str, tok: Token | None = None) -> ExpressionSyntaxError:
        tok = tok or self.tok
        found = "the end" if tok.kind == "end" else repr(tok.text)
        return ExpressionSyntaxError(f"{message}, found {found} at column {tok.offset + 1}", tok.offset)

    def parse(self) -> Expression:
        self.expr.fn = self.parse_or()
        if not self.at("end"):
            raise self.error("expected an operator or the end")
        return self.expr

    def parse_or(self) -> Fn:
        parts = [self.parse_and()]
        while self.at("kw", "or"):
            self.take()
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else _or(parts)

    def parse_and(self) -> Fn:
        parts = [self.parse_not()]
        while self.at("kw", "and"):
            self.take()
            parts.append(self.parse_not())
        return parts[0] if len(parts) == 1 else _and(parts)

    def parse_not(self) -> Fn:
        if self.at("kw", "not"):
            self.take()
            return _not(self.parse_not())
        return self.parse_compare()

    def parse_compare(self) -> Fn:
        left = self.parse_sum()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            return BINARY[tok.text](left, self.parse_sum())
        negate = False
        if self.at("kw", "not"):
            self.take()
            negate = True
            if not (self.at("kw", "between") or self.at("kw", "in")):
                raise self.error("expected 'between' or 'in' after 'not'")
        if self.at("kw", "between"):
            self.take()
            low = self.parse_sum()
            self.expect("kw", "and")
            high = self.parse_sum()
            test = _and([BINARY[">="](left, low), BINARY["<="](left, high)])
            return _not(test) if negate else test
        if self.at("kw", "in"):
            self.take()
            self.expect("op", "(")
            options = [self.parse_or()]
            while self.at("op", ","):
                self.take()
                options.append(self.parse_or())
            self.expect("op", ")")
            test = _or([BINARY["=="](left, o) for o in options])
            return _not(test) if negate else test
        if self.at("kw", "is"):
            self.take()
            is_not = False
            if self.at("kw", "not"):
                self.take()
                is_not = True
            self.expect("kw", "null")
            return (lambda env: left(env) is not None) if is_not else (lambda env: left(env) is None)
        return left

    def parse_sum(self) -> Fn:
        left = self.parse_product()
        while self.tok.kind == "op" and self.tok.text in ("+", "-"):
            op = self.take().text
            left = BINARY[op](left, self.parse_product())
        return left

    def parse_product(self) -> Fn:
        left = self.parse_unary()
        while self.tok.kind == "op" and self.tok.text in ("*", "/", "%"):
            op = self.take().text
            left = BINARY[op](left, self.parse_unary())
        return left

    def parse_unary(self) -> Fn:
        if self.at("op", "-"):
            self.take()
            return BINARY["-"](lambda env: 0, self.parse_unary())
        return self.parse_atom()

    def parse_atom(self) -> Fn:
        tok = self.tok
        if tok.kind == "num":
            self.take()
            value = float(tok.text) if any(c in tok.text for c in ".eE") else int(tok.text)
            return lambda env: value
        if tok.kind == "str":
            self.take()
            text = re.sub(r"\\(.)", r"\1", tok.text[1:-1])
            return lambda env: text
        if tok.kind == "kw" and tok.text in ("true", "false", "null"):
            self.take()
            const = {"true": True, "false": False, "null": None}[tok.text]
            return lambda env: const
        if tok.kind == "op" and tok.text == "(":
            self.take()
            inner = self.parse_or()
            self.expect("op", ")")
            return inner
        if tok.kind == "name":
            self.take()
            if self.at("op", "("):
                return self.parse_call(tok)
            name = tok.text
            self.expr.names.add(name)
            return lambda env: env.column(name)
        raise self.error("expected a value, a column name or '('")

    def parse_call(self, name_tok: Token) -> Fn:
        name = name_tok.text
        self.take()  # (
        if name == "path":
            arg = self.tok
            if arg.kind != "str":
                raise self.error("path() takes one quoted path, e.g. path('^.gamePk')")
            self.take()
            self.expect("op", ")")
            try:
                path = parse_path(re.sub(r"\\(.)", r"\1", arg.text[1:-1]))
            except PathSyntaxError as exc:
                raise ExpressionSyntaxError(f"bad path in path(): {exc}", arg.offset + 1 + exc.offset) from None
            self.expr.paths.append(path)
            return lambda env: path.resolve(env.frames)
        if name == "captured_at":
            self.expect("op", ")")
            self.expr.uses_captured_at = True
            return lambda env: env.captured_at
        args: list[Fn] = []
        if not self.at("op", ")"):
            args.append(self.parse_or())
            while self.at("op", ","):
                self.take()
                args.append(self.parse_or())
        self.expect("op", ")")
        if lookup(name) is None:
            raise ExpressionSyntaxError(f"unknown function {name!r}", name_tok.offset)
        self.expr.functions.add(name)

        def call(env: Env) -> Any:
            values = [a(env) for a in args]
            fn = lookup(name)
            if fn is None:
                raise EvalError(f"function {name!r} is no longer registered")
            try:
                return fn(*values)
            except EvalError:
                raise
            except Exception as exc:  # a function's failure rejects the row, with its reason
                raise EvalError(f"{name}() failed: {type(exc).__name__}: {exc}") from None

        return call


def parse_expression(text: Any) -> Expression:
    """Parse ``text``; raise :class:`ExpressionSyntaxError` with the offset of the mistake."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionSyntaxError("an expression must be a non-empty string", 0)
    return _Parser(text).parse()
