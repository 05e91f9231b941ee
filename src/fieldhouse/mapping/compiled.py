"""A target compiled into straight-line Python: the columns of one row, read and cast.

:func:`compile_columns` writes the source of one function per target, ``build(frames,
captured_at)``, and compiles it once (the function is kept on the :class:`Target`).  For
every column, in evaluation order, it has the code of that column alone: a path of names
and indexes from the current element or the record is read with direct ``dict.get`` and
list indexing (no walk over a tuple of steps); ``captured_at()`` is the capture time; a
constant is a constant; any other expression, or a path with ``^``, ``#``, ``~``, ``@`` or
``&``, calls its parsed form.  The cast follows, with the common case inline where the
value already is what its column holds (an int in range, a finite float, text without a
NUL character or a surrogate, a bool); everything else calls the column's caster.

It gives exactly what the interpreter in :mod:`.apply` gives (the same values, the same
reasons in the same order): the tests compare the two on the shipped mappings, on their
recorded fixtures and on generated records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import CastError
from ..types import INT_RANGE, CastRow, caster
from .expressions import Env, EvalError
from .paths import Path
from .spec import ColumnSpec, Target

Build = Callable[[Any, Any], tuple[CastRow, dict[str, str], Any]]


class ColumnFailed(Exception):
    """An expression read a column that failed: the row's reason is that column's."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class Columns:
    """What an expression reads a column of the row through (one per row that needs it)."""

    __slots__ = ("failures", "values")

    def __init__(self, values: dict[str, Any], failures: dict[str, str]) -> None:
        self.values, self.failures = values, failures

    def __call__(self, name: str) -> Any:
        if name in self.failures:
            raise ColumnFailed(self.failures[name])
        return self.values.get(name)


_EMPTY: dict[str, Any] = {}


def _read_code(path: Path, consts: dict[str, Any], number: int, plain: set[str], bases: set[str]) -> str:
    """An expression of Python reading ``path``; ``bases`` collects the elements it starts
    from (``cur``, ``rec``), ``plain`` those it reads a key of first."""
    if path.mark is not None or path.group is not None or path.up not in (None, 0) or not path.steps:
        name = f"P{number}"
        consts[name] = path
        return f"{name}.resolve(frames)"
    base = "cur" if path.up == 0 else "rec"
    first, rest = path.steps[0], path.steps[1:]
    bases.add(base)
    if isinstance(first, str):
        plain.add(base)
        code = f"{base}_d.get({first!r})"
    else:
        code = f"_index({base}, {first!r})"
    for step in rest:
        code = (f"_get({code}, {step!r})" if isinstance(step, str) else f"_index({code}, {step!r})")
    return code


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _index(value: Any, i: int) -> Any:
    return value[i] if isinstance(value, list) and -len(value) <= i < len(value) else None


def _cast_code(spec: ColumnSpec, cast_name: str) -> list[str]:
    """Lines turning ``v`` into the column's value ``x`` (None stays None; an empty string is
    null for every type but text)."""
    kind = spec.type.name
    lines: list[str] = []  # the value's own type first (the common case), then null, then the caster
    if kind in INT_RANGE:
        low, high = INT_RANGE[kind]
        lines += [f"if type(v) is int and {low} <= v <= {high}:", "    x = v"]
    elif kind == "float":
        lines += ["if type(v) is float and v - v == 0.0:", "    x = v + 0.0"]
    elif kind == "text":
        lines += ["if type(v) is str and v.isascii() and '\\x00' not in v:", "    x = v"]
    elif kind == "bool":
        lines += ["if v is True or v is False:", "    x = v"]
    null = "v is None" if kind == "text" else "v is None or (v == '' and isinstance(v, str))"
    lines += [f"{'elif' if lines else 'if'} {null}:", "    x = None", "else:", f"    x = {cast_name}(v)"]
    return lines


def compile_columns(target: Target) -> Build:
    """The compiled ``build`` of ``target`` (made once, then kept on the target)."""
    if target.compiled is not None:
        return target.compiled
    consts: dict[str, Any] = {"CastRow": CastRow, "CastError": CastError, "EvalError": EvalError,
                              "ColumnFailed": ColumnFailed, "Columns": Columns, "Env": Env,
                              "_get": _get, "_index": _index, "_EMPTY": _EMPTY}
    plain: set[str] = set()
    bases: set[str] = set()
    body: list[str] = []
    for number, name in enumerate(target.order):
        spec = target.columns[name]
        cast_name = f"C{number}"
        consts[cast_name] = caster(spec.type)
        prefix = f"column {name!r}: "
        if spec.path is not None:
            read = [f"v = {_read_code(spec.path, consts, number, plain, bases)}"]
        elif spec.expr is not None and spec.expr.text.replace(" ", "") == "captured_at()":
            read = ["v = captured_at"]
        elif spec.expr is not None:
            consts[f"E{number}"] = spec.expr.fn
            read = ["if env is None:", "    env = Env(Columns(values, failures), frames, captured_at)",
                    f"v = E{number}(env)"]
        else:
            consts[f"K{number}"] = spec.value
            read = [f"v = K{number}"]
        body += ["try:"]
        body += ["    " + line for line in read + _cast_code(spec, cast_name)]
        body += [f"    values[{name!r}] = x",
                 "except ColumnFailed as exc:", f"    failures[{name!r}] = exc.reason",
                 "except (CastError, EvalError) as exc:", f"    failures[{name!r}] = {prefix!r} + str(exc)"]
    head = ["def build(frames, captured_at):", "    values = CastRow()", "    failures = {}", "    env = None"]
    if "cur" in bases:
        head += ["    cur = frames[-1][0]"]
    if "rec" in bases:
        head += ["    rec = frames[0][0]"]
    for base in sorted(plain):
        head += [f"    {base}_d = {base} if isinstance({base}, dict) else _EMPTY"]
    source = "\n".join(head + ["    " + line for line in body] + ["    return values, failures, env", ""])
    code = compile(source, f"<fieldhouse mapping target {target.name}>", "exec")
    namespace = dict(consts)
    exec(code, namespace)  # noqa: S102 - source written above from the checked mapping, no user text as code
    target.compiled = namespace["build"]
    target.compiled_source = source
    return target.compiled
