"""Turning a batch of row dicts into the rows a store writes (shared by every backend).

Each row is checked and cast column by column; a row that does not fit is rejected with
its reason and the rest go on.  Every accepted row gets a content hash, and copies of one
key inside the batch are resolved by the same order the database uses:

    a row wins over another copy of its key when (version, rank) is greater,

where ``rank`` is the row's number of non-NULL content values (four digits) followed by a
128-bit BLAKE2 hash of its canonical content.  Equal (version, rank) means identical
content.  Because the order is total and depends only on content, any set of batches
applied in any order ends in the same table.  A NULL value is left out of the hash, so
adding a nullable column to a table does not change the rank of existing rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any

from ..errors import CastError
from ..table import Table
from ..types import canonical, caster, json_text
from .result import Rejected, UpsertResult


@dataclass
class Prepared:
    """Cast, deduplicated rows in :func:`write_columns` order, plus what was set aside."""

    table: Table
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rejects: list[Rejected] = field(default_factory=list)
    superseded_stale: int = 0  # lost to a newer copy of the key within the batch
    superseded_same: int = 0  # an identical copy of the key was already in the batch

    def result(self) -> UpsertResult:
        return UpsertResult(
            self.table.name,
            stale=self.superseded_stale,
            unchanged=self.superseded_same,
            rejects=list(self.rejects),
        )


def write_columns(table: Table) -> list[str]:
    """The columns a batch carries, in order: content columns, then the hash."""
    return table.content_columns


def prepare(
    table: Table,
    rows: Iterable[Mapping[str, Any]],
    adapt: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Prepared:
    """Check, cast, hash and deduplicate ``rows`` for ``table``.

    ``adapt`` maps a type name to a function turning a cast value into what the driver
    binds (e.g. dates to ISO text for SQLite); it is applied after hashing.
    """
    columns = table.content_columns
    known = set(table.columns)
    specs = [table.columns[c] for c in columns]
    casters = [caster(s.type) for s in specs]
    canon = [json_text if s.type.name == "json" else canonical for s in specs]
    required = [not s.nullable for s in specs]
    adapters = [(adapt or {}).get(s.type.name) for s in specs]
    key_idx = [columns.index(c) for c in table.primary_key]
    version_idx = columns.index(table.version)
    key_set = set(table.primary_key)
    prep = Prepared(table)
    best: dict[tuple[Any, ...], tuple[Any, str, tuple[Any, ...]]] = {}
    name = table.name

    for raw in rows:
        if not isinstance(raw, Mapping):
            prep.rejects.append(Rejected(name, raw, f"a row must be a mapping, not {type(raw).__name__}"))
            continue
        extra = [k for k in raw if k not in known]
        if extra:
            shown = ", ".join(repr(k) for k in extra[:5])
            prep.rejects.append(Rejected(name, raw, f"unknown column(s) {shown}"))
            continue
        values: list[Any] = []
        parts: list[str] = []
        reason = None
        for i, col in enumerate(columns):
            value = raw.get(col)
            if value is None:
                if required[i]:
                    what = "primary key column" if col in key_set else (
                        "version column" if i == version_idx else "column")
                    reason = f"{what} {col!r} is missing or null"
                    break
                values.append(None)
                continue
            try:
                value = casters[i](value)
            except CastError as exc:
                reason = f"column {col!r}: {exc}"
                break
            values.append(value)
            parts.append(col)
            parts.append(canon[i](value))
        if reason is not None:
            prep.rejects.append(Rejected(name, raw, reason))
            continue
        digest = blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()
        rank = f"{len(parts) // 2:04d}{digest}"
        key = tuple(values[i] for i in key_idx)
        version = values[version_idx]
        seen = best.get(key)
        if seen is None:
            best[key] = (version, rank, values)
            continue
        if (version, rank) > (seen[0], seen[1]):
            best[key] = (version, rank, values)
            prep.superseded_stale += 1
        elif (version, rank) == (seen[0], seen[1]):
            prep.superseded_same += 1
        else:
            prep.superseded_stale += 1

    if any(adapters):
        for version, rank, values in best.values():
            for i, fn in enumerate(adapters):
                if fn is not None and values[i] is not None:
                    values[i] = fn(values[i])
            values.append(rank)
    else:
        for _version, rank, values in best.values():
            values.append(rank)
    prep.rows = [tuple(v[2]) for v in best.values()]
    return prep
