"""Named functions that expressions may call: a few built in, more registered by sources.

A source registers a plain Python function before its mapping is loaded::

    from fieldhouse.mapping import register_function
    register_function("cents_to_dollars", lambda c: None if c is None else c / 100)

and a mapping calls it as ``expr: cents_to_dollars(amount_cents)``.  A name the mapping
calls but nobody registered is reported when the mapping is loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
RESERVED = frozenset({"path", "captured_at", "and", "or", "not", "between", "in", "is", "null", "true", "false"})


def _coalesce(*args: Any) -> Any:
    return next((a for a in args if a is not None), None)


def _strict(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Null in, null out."""

    def wrapped(*args: Any) -> Any:
        return None if any(a is None for a in args) else fn(*args)

    return wrapped


def _concat(*args: Any) -> str | None:
    if any(a is None for a in args):
        return None
    return "".join(str(a) for a in args)


def _iif(cond: Any, then: Any, otherwise: Any) -> Any:
    return then if cond is True else otherwise


BUILTINS: dict[str, Callable[..., Any]] = {
    "coalesce": _coalesce,
    "concat": _concat,
    "iif": _iif,
    "lower": _strict(lambda s: str(s).lower()),
    "upper": _strict(lambda s: str(s).upper()),
    "trim": _strict(lambda s: str(s).strip()),
    "length": _strict(len),
    "abs": _strict(abs),
    "round": _strict(lambda x, digits=0: round(x, int(digits))),
    "substr": _strict(lambda s, start, count=None: str(s)[int(start): None if count is None else int(start) + int(count)]),
    "split_part": _strict(lambda s, sep, n: (str(s).split(str(sep)) + [None] * int(n))[int(n)]),
}

_registry: dict[str, Callable[..., Any]] = {}


def register_function(name: str, fn: Callable[..., Any]) -> None:
    """Make ``fn`` callable from mapping expressions as ``name(...)``.

    Names are lower-case identifiers; built-in names and ``path``/``captured_at`` are
    reserved.  Registering the same name again with another function replaces it.
    """
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"function name {name!r} must be a lower-case identifier")
    if name in BUILTINS or name in RESERVED:
        raise ValueError(f"function name {name!r} is reserved")
    if not callable(fn):
        raise TypeError(f"register_function({name!r}, ...) needs a callable")
    _registry[name] = fn


def unregister_function(name: str) -> None:
    _registry.pop(name, None)


def lookup(name: str) -> Callable[..., Any] | None:
    return BUILTINS.get(name) or _registry.get(name)
