"""Snapshot replacement for tables with a ``parent_key`` (docs/upsert.md, "Snapshots").

A batch names the parents whose complete rows it holds, each with a snapshot version V;
each parent also gets a snapshot hash H over its rows.  The store keeps one marker
(V, H) per parent in the companion table ``<name>__snapshots``, written with the ordinary
defensive upsert: a parent whose (V, H) is at least the stored marker's gets exactly the
snapshot's rows (each written unless the table holds it already, every other stored row
of the parent deleted); an older one changes nothing.  So a parent's rows are those of its
newest snapshot, whatever order snapshots arrive in.

This module plans that in Python (no SQL): the companion table's declaration, the marker
row of each parent, and the rows whose parent the batch does not name (rejected).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from hashlib import blake2b
from typing import Any

from ..errors import CastError, SchemaError
from ..table import SNAPSHOT_HASH, SNAPSHOTS_SUFFIX, Column, Table
from ..types import caster
from .prepare import Prepared
from .rank import value_bytes
from .result import Rejected


def marker_table(table: Table) -> Table:
    """The companion table holding ``table``'s snapshot markers: the parent-key columns,
    the version column (same names and types) and ``snapshot_hash``; key: the parent key."""
    if not table.parent_key:
        raise SchemaError(f"table {table.name} has no parent_key, so it has no snapshot markers")
    columns: dict[str, Any] = {k: Column(table.columns[k].type, nullable=False) for k in table.parent_key}
    columns[table.version] = Column(table.columns[table.version].type, nullable=False)
    columns[SNAPSHOT_HASH] = "text not null"
    return Table(table.name + SNAPSHOTS_SUFFIX, columns=columns, primary_key=list(table.parent_key),
                 version=table.version)


def snapshot_line(rank: str, version: bytes) -> str:
    """A row's part of H: its rank, ``@``, and the hex of its version's canonical bytes
    (as the rank encodes values, :func:`fieldhouse.stores.rank.value_bytes`)."""
    return f"{rank}@{version.hex()}"


def snapshot_hash(lines: Iterable[str]) -> str:
    """H: BLAKE2b-128 (hex) over the sorted :func:`snapshot_line` of the parent's rows,
    each followed by a newline (an empty snapshot hashes the empty text).  Equal H means
    the same rows, versions included."""
    text = "".join(line + "\n" for line in sorted(lines))
    return blake2b(text.encode("ascii"), digest_size=16).hexdigest()


def _parent_of(table: Table, item: Any, casts: list[Any], vcast: Any) -> tuple[tuple[Any, ...], Any]:
    what = f"snapshots for table {table.name}"
    if not isinstance(item, Sequence) or isinstance(item, str | bytes) or len(item) != 2:
        raise SchemaError(f"{what}: each snapshot is a (parent, version) pair, not {item!r}")
    parent, version = item
    if not isinstance(parent, tuple | list) or len(parent) != len(table.parent_key):
        raise SchemaError(
            f"{what}: a parent is a tuple of the values of ({', '.join(table.parent_key)}), not {parent!r}"
        )
    try:
        if any(v is None for v in parent) or version is None:
            raise CastError("a parent value or the version is missing")
        return tuple(c(v) for c, v in zip(casts, parent, strict=True)), vcast(version)
    except CastError as exc:
        raise CastError(f"{what}: snapshot {item!r}: {exc}") from None


def plan(table: Table, prepared: Prepared, snapshots: Iterable[Any] | None) -> list[tuple[Any, ...]]:
    """The marker rows of the batch (cast values: parent..., V, H, then the marker's rank),
    one per parent in parent order.  ``prepared`` holds cast, resolved rows; rows whose
    parent ``snapshots`` does not name are moved from its rows to its rejects.

    ``snapshots=None``: the parents of the rows, each at the greatest version among its
    rows.  A parent named twice takes its greatest version."""
    columns = table.content_columns
    parent_idx = [columns.index(c) for c in table.parent_key]
    version_idx = columns.index(table.version)
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in prepared.rows:
        groups.setdefault(tuple(row[i] for i in parent_idx), []).append(row)
    if snapshots is None:
        versions = {p: max(r[version_idx] for r in rows) for p, rows in groups.items()}
    else:
        casts = [caster(table.columns[c].type) for c in table.parent_key]
        vcast = caster(table.columns[table.version].type)
        versions = {}
        for item in snapshots:
            parent, version = _parent_of(table, item, casts, vcast)
            versions[parent] = version if parent not in versions else max(versions[parent], version)
        orphans = [p for p in groups if p not in versions]
        if orphans:
            keep = []
            for parent, rows in list(groups.items()):
                if parent in versions:
                    keep += rows
                    continue
                shown = ", ".join(f"{c}={v!r}" for c, v in zip(table.parent_key, parent, strict=True))
                for row in rows:
                    prepared.rejects.append(Rejected(
                        table.name, dict(zip(columns, row, strict=False)),
                        f"its parent ({shown}) is not among the batch's snapshots",
                    ))
                del groups[parent]
            prepared.rows = keep
    size = len(table.parent_key) + 1  # the marker's content: the parent values and H
    vtype = table.columns[table.version].type
    markers = []
    for parent in sorted(versions):
        h = snapshot_hash(snapshot_line(r[-1], value_bytes(vtype.name, r[version_idx], vtype.scale))
                          for r in groups.get(parent, ()))
        markers.append((*parent, versions[parent], h, f"{size:04d}{h}"))
    return markers
