"""Paths: where in a record a value comes from.

A path is read relative to the *current element* (the record itself, or the element a row
source is at).  The grammar, in full::

    path   := "."                      the current element itself
            | anchor? step* mark?
    anchor := "$"                      the whole record (the outermost element)
            | "^"+                     an enclosing element: ^ one level out, ^^ two, ...
            | "^"* "&"                 the partner of the element (or of an enclosing one)
            | "^"* "@"                 the group of the element (or of an enclosing one)
    step   := name | "." name | "[" integer "]" | "[" quoted-key "]"
    mark   := "#"                      the element's position in its array (0-based)
            | "~"                      the element's key in its object (its position in an array)

``@`` and ``&`` need a row-source level with ``group_by``: the elements of that level with
the same key form a group; ``@`` is the group (an array of its elements, in order) and
``&`` the other element of a group of exactly two (null for a group of one, or of three
or more).  Examples: ``gamePk``, ``teams.home.team.id``, ``^.gamePk``, ``^^#``, ``#``,
``$.gameData.datetime.officialDate``, ``stats[0].value``, ``["odd key"].x``,
``&.TEAM_ID``, ``@[0].MATCHUP``.  A missing key, an index past the end, or a step into a
scalar gives null.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

_NAME = re.compile(r"[^.\[\]#~^$'\"\s]+")
_INDEX = re.compile(r"\[\s*(-?\d+)\s*\]")
_QUOTED = re.compile(r"""\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]""")


class PathSyntaxError(ValueError):
    """A path that does not follow the grammar; ``offset`` is where it went wrong."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


class Frame(NamedTuple):
    """One element on the way from the record to the current element."""

    value: Any
    index: int | None = None  # position in its array (or object)
    key: Any = None  # key in its object (= index for array elements)
    group: list[Any] | None = None  # with group_by: the values of the element's group, in order
    at: int = 0  # the element's position in its group

    @property
    def partner(self) -> Any:
        """The other element of a group of two (None otherwise)."""
        group = self.group
        return group[1 - self.at] if group is not None and len(group) == 2 else None


@dataclass(frozen=True)
class Path:
    text: str
    up: int | None  # None: the record ($); 0: the current element; n: n levels out
    steps: tuple[str | int, ...] = ()
    mark: str | None = None  # "#" or "~"
    group: str | None = None  # "@" (the group) or "&" (the partner)

    @property
    def depth_needed(self) -> int:
        """How many row-source levels must enclose the current element for this path."""
        if self.up is None:
            return 0
        return self.up + (1 if self.mark or self.group else 0)

    def resolve(self, frames: list[Frame] | tuple[Frame, ...]) -> Any:
        if self.up is None:
            frame = frames[0]
        else:
            pos = len(frames) - 1 - self.up
            if pos < 0:
                return None
            frame = frames[pos]
        if self.mark == "#":
            return frame.index
        if self.mark == "~":
            return frame.key
        if self.group is None:
            value = frame.value
        elif self.group == "&":
            value = frame.partner
        else:
            value = frame.group
        for step in self.steps:
            if isinstance(step, int):
                if isinstance(value, list) and -len(value) <= step < len(value):
                    value = value[step]
                else:
                    return None
            elif isinstance(value, dict):
                value = value.get(step)
            else:
                return None
        return value

    def __str__(self) -> str:
        return self.text


def parse_path(text: Any) -> Path:
    """Parse a path; raise :class:`PathSyntaxError` with the offset of the mistake."""
    if not isinstance(text, str) or not text.strip():
        raise PathSyntaxError("a path must be a non-empty string")
    if text == ".":
        return Path(text, 0)
    i, n = 0, len(text)
    up: int | None = 0
    anchored = False
    if text.startswith("$"):
        up, i, anchored = None, 1, True
    elif text.startswith("^"):
        while i < n and text[i] == "^":
            i += 1
        up, anchored = i, True
    group = None  # "@" or "&" alone, or before "." or "[" (a key such as "@type" is a name)
    if up is not None and i < n and text[i] in "@&" and (i + 1 == n or text[i + 1] in ".["):
        group, anchored = text[i], True
        i += 1
    steps: list[str | int] = []
    mark = None
    while i < n:
        ch = text[i]
        if ch in "#~":
            if steps or (i != n - 1):
                raise PathSyntaxError(f"{ch!r} may only end a path right after its anchor (e.g. '^#')", i)
            if up is None:
                raise PathSyntaxError(f"the record ($) has no {'position' if ch == '#' else 'key'}", i)
            if group is not None:
                raise PathSyntaxError(f"{ch!r} cannot follow {group!r}: use it on the element itself", i)
            mark = ch
            i += 1
            continue
        if ch == "[":
            m = _INDEX.match(text, i)
            if m:
                steps.append(int(m[1]))
                i = m.end()
                continue
            m = _QUOTED.match(text, i)
            if m:
                raw = m[1] if m[1] is not None else m[2]
                steps.append(re.sub(r"\\(.)", r"\1", raw))
                i = m.end()
                continue
            raise PathSyntaxError("'[' must hold an integer or a quoted key, e.g. [0] or ['a b']", i)
        if ch == ".":
            if not steps and not anchored:
                raise PathSyntaxError("a path cannot start with '.' (use '.' alone for the element)", i)
            i += 1
            m = _NAME.match(text, i)
            if not m:
                raise PathSyntaxError("expected a name after '.'", i)
            steps.append(m[0])
            i = m.end()
            continue
        m = _NAME.match(text, i)
        if not m or steps or anchored:
            what = "'.' before a name" if m else f"a name, not {ch!r}"
            raise PathSyntaxError(f"expected {what}", i)
        steps.append(m[0])
        i = m.end()
    return Path(text, up, tuple(steps), mark, group)
