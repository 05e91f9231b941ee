"""Row sources: from one record to the elements that each become a row.

Each level turns the current element into several: ``each`` walks an array (one element
per item) or an object (one per entry, ``~`` is its key); ``result_set`` turns a tabular
payload (``{"name": ..., "headers": [...], "rowSet": [[...], ...]}``) into one object per
row, keyed by header.  Levels nest, and every element keeps the chain of elements that
enclose it, so paths can reach them with ``^``.  A level with ``group_by`` also gives each
element its group (the elements of the level with the same key), which paths reach with
``@`` (the group) and ``&`` (the partner in a group of two).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from .paths import Frame
from .spec import RowLevel


class Element(NamedTuple):
    frames: tuple[Frame, ...]
    location: str  # where in the record, e.g. "dates[0].games[2]"
    problem: str | None = None  # set when this level could not be read


def _key_text(key: Any) -> str:
    return f"[{key}]" if isinstance(key, int) else f"[{key!r}]"


def _join(location: str, part: str) -> str:
    if not location:
        return part
    return location + ("" if part.startswith("[") else ".") + part


def elements(levels: tuple[RowLevel, ...], record: Any) -> Iterable[Element]:
    """Every innermost element of ``record`` under ``levels`` (the record itself if none)."""
    if not levels:
        return (Element((Frame(record),), ""),)
    return _walk(levels, (Frame(record),), "")


def _walk(levels: tuple[RowLevel, ...], frames: tuple[Frame, ...], location: str) -> Iterator[Element]:
    if not levels:
        yield Element(frames, location)
        return
    level, rest = levels[0], levels[1:]
    children = _each(level, frames, location) if level.kind == "each" else _result_set(level, frames, location)
    if level.group_by is not None:
        children = _grouped(level, frames, children)
    if not rest:  # the innermost level: its children are the elements (no nested walk)
        for child in children:
            yield child if isinstance(child, Element) else Element((*frames, child[0]), child[1])
        return
    for child in children:
        if isinstance(child, Element):
            yield child
        else:
            frame, where = child
            yield from _walk(rest, (*frames, frame), where)


def _grouped(level: RowLevel, frames: tuple[Frame, ...], children: Iterator[Any]) -> list[Any]:
    """The children with their groups: those with the same ``group_by`` value (compared as
    JSON) share one group, the list of their values in order; a child whose key is null is
    a group of its own."""
    assert level.group_by is not None
    items = list(children)
    groups: dict[str, list[Any]] = {}  # key -> the values of its members, in order
    placed: list[tuple[list[Any], int] | None] = []  # per child: its group and position in it
    for child in items:
        if isinstance(child, Element):
            placed.append(None)
            continue
        value = child[0].value
        key = level.group_by.resolve((*frames, child[0]))
        group = [] if key is None else groups.setdefault(json.dumps(key, sort_keys=True, default=str), [])
        placed.append((group, len(group)))
        group.append(value)
    out: list[Any] = []
    for child, place in zip(items, placed, strict=True):
        if place is None:
            out.append(child)
        else:
            frame, where = child
            out.append((frame._replace(group=place[0], at=place[1]), where))
    return out


def _each(level: RowLevel, frames: tuple[Frame, ...], location: str) -> Iterator[Any]:
    assert level.path is not None
    value = level.path.resolve(frames)
    base = _join(location, level.path.text) if level.path.text != "." else location
    if value is None:
        return  # a missing or null array is an empty one
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield Frame(item, i, i), base + f"[{i}]"
    elif isinstance(value, dict):
        for i, (key, item) in enumerate(value.items()):
            yield Frame(item, i, key), base + _key_text(key)
    else:
        yield Element(frames, base or ".", f"rows: {level.path.text!r} is {type(value).__name__}, not an array or object")


def _result_set(level: RowLevel, frames: tuple[Frame, ...], location: str) -> Iterator[Any]:
    current = frames[-1].value
    if level.path is not None:
        container, where = level.path.resolve(frames), level.path.text
    elif isinstance(current, dict) and "resultSets" in current:
        container, where = current["resultSets"], "resultSets"
    elif isinstance(current, dict):
        container, where = current.get("resultSet"), "resultSet"
    else:
        container, where = None, "resultSets"
    base = _join(location, where)
    sets = container if isinstance(container, list) else [container] if isinstance(container, dict) else []
    chosen = None
    if isinstance(level.name, int):
        if 0 <= level.name < len(sets):
            chosen, base = sets[level.name], base + f"[{level.name}]"
    else:
        for s in sets:
            if isinstance(s, dict) and s.get("name") == level.name:
                chosen, base = s, base + _key_text(level.name)
                break
    if not isinstance(chosen, dict):
        yield Element(frames, base, f"rows: result set {level.name!r} not found in {where!r}")
        return
    headers = chosen.get("headers")
    rows = chosen.get("rowSet")
    if not isinstance(headers, list) or not isinstance(rows, list):
        yield Element(frames, base, f"rows: result set {level.name!r} lacks a 'headers' list and a 'rowSet' list")
        return
    width = len(headers)
    for i, row in enumerate(rows):
        if row.__class__ is not list or len(row) != width:
            where_row = f"{base}.rowSet[{i}]"
            if not isinstance(row, list) or len(row) != width:
                size = len(row) if isinstance(row, list) else type(row).__name__
                yield Element((*frames, Frame(row, i, i)), where_row, f"rows: row has {size} values but the result set has {width} headers")
                continue
        yield Frame(dict(zip(headers, row, strict=False)), i, i), f"{base}.rowSet[{i}]"
