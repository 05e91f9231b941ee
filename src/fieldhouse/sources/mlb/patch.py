"""Applying a ``feed/live/diffPatch`` answer to the last full state of a game, in memory.

The answer is a list of ``{"diff": [operations]}`` (empty: nothing changed since the
timecode asked for), or, when the server prefers, a whole feed.  The operations are JSON
Patch (RFC 6902) written by the Stats API's own differ, which is not strict: it can write
past the end of an array (a JavaScript ``array[i] = value``, the holes being ``null`` once
serialised) and remove a key that is not there.  Each operation goes through ``jsonpatch``
(the well-kept RFC implementation) first; only an operation it refuses is retried under
those two rules, explicitly:

* ``add`` / ``replace`` / ``copy`` / ``move`` to an index past the end of an array: the
  array is padded with ``null`` up to the index, then the value is set there;
* ``replace`` of a missing object key: the key is set (plain assignment);
* ``remove`` of a missing object key or array index: nothing to do.

Anything else (a path through a missing parent, a ``test`` that fails, an unknown op, a
result that is not a whole feed of the game) raises :class:`PatchFailed`: the watcher then
fetches a full feed, and nothing of the patch is stored as data.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import jsonpointer

from ...errors import BadResponseError
from . import validate

ENDPOINT = "feed/live/diffPatch"


class PatchFailed(Exception):
    """The patch cannot be applied to the state it was asked for."""


def is_whole_feed(body: Any) -> bool:
    """The server answered a diffPatch request with a whole game."""
    return isinstance(body, dict) and "gameData" in body and "liveData" in body


def _parent(doc: Any, path: str) -> tuple[Any, str]:
    parts = jsonpointer.JsonPointer(path).parts
    if not parts:
        raise PatchFailed(f"{path!r}: cannot patch the whole document")
    try:
        parent = jsonpointer.JsonPointer.from_parts(parts[:-1]).resolve(doc)
    except jsonpointer.JsonPointerException as exc:
        raise PatchFailed(f"{path!r}: {exc}") from None
    return parent, parts[-1]


def _value(doc: Any, op: dict[str, Any]) -> Any:
    if op["op"] in ("copy", "move"):
        try:
            return copy.deepcopy(jsonpointer.resolve_pointer(doc, op["from"]))
        except (jsonpointer.JsonPointerException, KeyError) as exc:
            raise PatchFailed(f"{op['op']} from {op.get('from')!r}: {exc}") from None
    if "value" not in op:
        raise PatchFailed(f"{op['op']} {op.get('path')!r} has no value")
    return copy.deepcopy(op["value"])


def _lenient(doc: Any, op: dict[str, Any]) -> None:
    """Apply one operation ``jsonpatch`` refused, under the rules of the module docstring."""
    kind, path = op.get("op"), op.get("path")
    if kind not in ("add", "replace", "remove", "copy", "move") or not isinstance(path, str):
        raise PatchFailed(f"operation {kind!r} at {path!r} cannot be applied")
    parent, last = _parent(doc, path)
    if kind == "remove":
        if isinstance(parent, dict):
            parent.pop(last, None)
        elif isinstance(parent, list) and last.isdigit():
            if int(last) < len(parent):
                del parent[int(last)]
        else:
            raise PatchFailed(f"remove {path!r}: its parent is not an object or array")
        return
    value = _value(doc, op)
    if kind == "move":
        src_parent, src_last = _parent(doc, op["from"])
        if isinstance(src_parent, dict):
            src_parent.pop(src_last, None)
        elif isinstance(src_parent, list) and src_last.isdigit() and int(src_last) < len(src_parent):
            del src_parent[int(src_last)]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list) and (last.isdigit() or last == "-"):
        index = len(parent) if last == "-" else int(last)
        parent.extend([None] * (index + 1 - len(parent)))
        parent[index] = value
    else:
        raise PatchFailed(f"{kind} {path!r}: its parent is not an object or array")


def apply_operations(state: Any, operations: list[Any]) -> Any:
    """``operations`` applied to a copy of ``state`` (``state`` is left as it was)."""
    doc = copy.deepcopy(state)
    for op in operations:
        if not isinstance(op, dict):
            raise PatchFailed(f"operation {op!r} is not an object")
        try:
            doc = jsonpatch.JsonPatch([op]).apply(doc, in_place=True)
        except (jsonpatch.JsonPatchConflict, jsonpointer.JsonPointerException, IndexError, KeyError):
            _lenient(doc, op)
        except (jsonpatch.JsonPatchException, TypeError, ValueError) as exc:
            raise PatchFailed(f"operation {op.get('op')!r} at {op.get('path')!r}: {exc}") from None
    return doc


def apply_diff_patch(state: dict[str, Any], body: Any, game_pk: int) -> dict[str, Any]:
    """The new state of game ``game_pk``: ``body`` (a diffPatch answer) applied to
    ``state``; a whole feed in ``body`` is the new state itself.  The result is checked as a
    whole feed of the game (:func:`.validate.feed`); :class:`PatchFailed` otherwise."""
    if is_whole_feed(body):
        result = body
    elif isinstance(body, list):
        result = state
        for i, envelope in enumerate(body):
            operations = envelope.get("diff") if isinstance(envelope, dict) else None
            if not isinstance(operations, list):
                raise PatchFailed(f"[{i}] is not a {{'diff': [...]}} envelope")
            result = apply_operations(result, operations)
    else:
        raise PatchFailed(f"a diffPatch answer is a list or a whole feed, not {type(body).__name__}")
    try:
        validate.feed(ENDPOINT, result, game_pk)
    except BadResponseError as exc:
        raise PatchFailed(f"the patched feed is not a whole feed: {exc}") from None
    return result


__all__ = ["PatchFailed", "apply_diff_patch", "apply_operations", "is_whole_feed"]
