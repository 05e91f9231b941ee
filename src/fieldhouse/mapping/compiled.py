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
from datetime import UTC, date, datetime
from typing import Any

from ..errors import CastError
from ..types import _FALSE, _TRUE, INT_RANGE, CastRow, caster
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


def _read_code(path: Path, depth: int, bases: set[int]) -> str:
    """An expression of Python reading ``path`` for an element ``depth`` levels deep (its
    frames are ``frames[0]``, the record, to ``frames[depth]``, the element itself: a row
    source gives every element exactly one frame per level).  ``bases`` collects the frames
    whose value it reads (``f0`` ... as a local, ``d0`` ... the same if it is an object)."""
    pos = 0 if path.up is None else depth - path.up
    if pos < 0:  # deeper than the element (the loader refuses such a path)
        return "None"
    if path.mark == "#":
        return f"frames[{pos}][1]"
    if path.mark == "~":
        return f"frames[{pos}][2]"
    if path.group == "&":
        code = f"frames[{pos}].partner"
    elif path.group == "@":
        code = f"frames[{pos}][3]"
    else:
        bases.add(pos)
        code = f"f{pos}"
    steps = path.steps
    if steps and isinstance(steps[0], str) and code == f"f{pos}":
        code, steps = f"d{pos}.get({steps[0]!r})", steps[1:]
    for step in steps:  # each step reads the value before it once (a walrus per step)
        if isinstance(step, str):
            code = f"(_t.get({step!r}) if isinstance(_t := {code}, dict) else None)"
        else:
            code = f"(_t[{step!r}] if isinstance(_t := {code}, list) and {-step - 1 if step < 0 else step} < len(_t) else None)"
    return code


def _cast_code(spec: ColumnSpec, cast_name: str) -> list[str]:
    """Lines turning ``v`` into the column's value ``x`` (None stays None; an empty string is
    null for every type but text)."""
    kind = spec.type.name
    lines: list[str] = []  # the value's own type first (the common case), then null, then the caster
    if kind in INT_RANGE:
        low, high = INT_RANGE[kind]
        digits = len(str(high)) - 1  # so many decimal digits always fit
        lines += [f"if type(v) is int and {low} <= v <= {high}:", "    x = v",
                  f"elif type(v) is str and v.isdigit() and v.isascii() and len(v) <= {digits}:", "    x = int(v)"]
    elif kind == "float":
        lines += ["if type(v) is float and v - v == 0.0:", "    x = v + 0.0"]
    elif kind == "text":
        lines += ["if type(v) is str and v.isascii() and '\\x00' not in v:", "    x = v"]
    elif kind == "bool":
        lines += ["if v is True or v is False:", "    x = v",
                  "elif type(v) is str and v in _TRUE:", "    x = True",
                  "elif type(v) is str and v in _FALSE:", "    x = False"]
    elif kind == "date":  # YYYY-MM-DD: what the caster tries first, without the call
        lines += ["if type(v) is str and len(v) == 10 and v[4] == '-' and v[7] == '-' and v.isascii():",
                  "    try:", "        x = _isodate(v)", "    except ValueError:", f"        x = {cast_name}(v)"]
    elif kind == "timestamptz":  # YYYY-MM-DDTHH:MM:SSZ: the caster's result, without the call
        lines += ["if (type(v) is str and len(v) == 20 and v[19] == 'Z' and v[10] == 'T' and v[13] == ':'",
                  "        and v[16] == ':' and v.isascii()):",
                  "    try:", "        x = _isostamp(v[:19]).replace(tzinfo=_UTC)", "    except ValueError:",
                  f"        x = {cast_name}(v)"]
    null = "v is None" if kind == "text" else "v is None or (v == '' and isinstance(v, str))"
    lines += [f"{'elif' if lines else 'if'} {null}:", "    x = None", "else:", f"    x = {cast_name}(v)"]
    return lines


def compile_columns(target: Target) -> Build:
    """The compiled ``build`` of ``target`` (made once, then kept on the target)."""
    if target.compiled is not None:
        return target.compiled
    consts: dict[str, Any] = {"CastRow": CastRow, "CastError": CastError, "EvalError": EvalError,
                              "ColumnFailed": ColumnFailed, "Columns": Columns, "Env": Env,
                              "_EMPTY": _EMPTY, "_TRUE": _TRUE, "_FALSE": _FALSE, "_UTC": UTC,
                              "_isodate": date.fromisoformat, "_isostamp": datetime.fromisoformat}
    bases: set[int] = set()
    depth = len(target.rows)
    body: list[str] = []
    for number, name in enumerate(target.order):
        spec = target.columns[name]
        cast_name = f"C{number}"
        consts[cast_name] = caster(spec.type)
        prefix = f"column {name!r}: "
        if spec.path is not None:
            read = [f"v = {_read_code(spec.path, depth, bases)}"]
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
    for pos in sorted(bases):
        head += [f"    f{pos} = frames[{pos}][0]", f"    d{pos} = f{pos} if isinstance(f{pos}, dict) else _EMPTY"]
    source = "\n".join(head + ["    " + line for line in body] + ["    return values, failures, env", ""])
    code = compile(source, f"<fieldhouse mapping target {target.name}>", "exec")
    namespace = dict(consts)
    exec(code, namespace)  # noqa: S102 - source written above from the checked mapping, no user text as code
    target.compiled = namespace["build"]
    target.compiled_source = source
    return target.compiled
