"""Lake maintenance for the Delta store: compaction (``optimize``), clean-up of files no
version needs any more (``vacuum``), and the small-files check the run output uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import pyarrow as pa

from ..errors import ConfigError, SchemaError
from ..table import Table

#: A table with more data files than this, averaging under SMALL_FILE bytes, is worth compacting.
MANY_FILES = 50
SMALL_FILE = 8 * 1024 * 1024


@dataclass(frozen=True)
class Maintenance:
    """What ``optimize`` or ``vacuum`` did to one table."""

    table: str
    files_added: int = 0
    files_removed: int = 0
    files_deleted: int = 0  # vacuum: files removed from storage
    version: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _require_lake(store: Any) -> None:
    if getattr(store, "dialect", None) != "delta":
        raise ConfigError(f"{store.url.redacted} is not a Delta lake: lake commands take --db delta:///path/to/lake")


def _tables(store: Any, names: Sequence[str] | None) -> list[Table]:
    entries = {e.name: e.table for e in store.tables()}
    if not names:
        return [t for t in entries.values() if store.table_exists(t)]
    missing = [n for n in names if n not in entries]
    if missing:
        raise ConfigError(f"no table {missing[0]!r} in the lake; its tables are {', '.join(sorted(entries)) or 'none'}")
    return [entries[n] for n in names]


def optimize(store: Any, tables: Sequence[str] | None = None, zorder: Sequence[str] | None = None) -> list[Maintenance]:
    """Compact each table's small files (Z-ordered by ``zorder`` columns if given)."""
    _require_lake(store)
    out = []
    for table in _tables(store, tables):
        dt = store.open_table(table)
        if zorder:
            unknown = [c for c in zorder if c not in table.columns]
            if unknown:
                raise SchemaError(f"--zorder: table {table.name} has no column {unknown[0]!r}")
            metrics = dt.optimize.z_order(list(zorder))
        else:
            metrics = dt.optimize.compact()
        out.append(Maintenance(table.name, int(metrics.get("numFilesAdded", 0)), int(metrics.get("numFilesRemoved", 0)),
                               version=store.open_table(table).version()))
    return out


def vacuum(store: Any, tables: Sequence[str] | None = None, retain_hours: int | None = None) -> list[Maintenance]:
    """Delete the files no version within ``retain_hours`` (default: the table's retention,
    7 days) refers to.  Readers at an older version lose it: read at a newer one."""
    _require_lake(store)
    if retain_hours is not None and (isinstance(retain_hours, bool) or retain_hours < 0):
        raise ConfigError(f"--retain-hours must be a whole number >= 0, not {retain_hours!r}")
    out = []
    for table in _tables(store, tables):
        dt = store.open_table(table)
        deleted = dt.vacuum(retention_hours=retain_hours, dry_run=False, enforce_retention_duration=False)
        out.append(Maintenance(table.name, files_deleted=len(deleted), version=store.open_table(table).version()))
    return out


def small_files(store: Any, table: Table) -> int | None:
    """The number of data files of ``table`` when it has many small ones (optimize would
    help), else None."""
    if getattr(store, "dialect", None) != "delta":
        return None
    dt = store.open_table(table)
    if dt is None:
        return None
    actions = pa.table(dt.get_add_actions(flatten=True))
    sizes = actions["size_bytes"].to_pylist()
    if len(sizes) <= MANY_FILES or sum(sizes) / len(sizes) >= SMALL_FILE:
        return None
    return len(sizes)
