"""Loads bigger than memory: what a mapping made, parked on disk by key, then written one
key-disjoint part at a time.

A load writes every target in one transaction, and its counts must be those one write of
the whole input would report.  Writing chunk after chunk would not give them: a key whose
copies fall into two chunks would count as inserted, then updated, where one write counts
the older copy as stale.  So the rows are first cut by key into *partitions* (a hash of the
primary key; for a snapshot target, of the parent, so a snapshot stays whole; for the
quarantine, of the reject's key) and parked in temporary files; then each partition is one
write.  No key is in two partitions, and within one the copies of a key keep the order of
the input, so the counts add up to exactly those of one write, and the table ends the same.

A partition holding more than ``MAX_BATCH`` rows is cut again (by further digits of the
key's hash) before it is written, so memory stays bounded however large the input is.  The files hold pickled
rows (this process's own, in a private temporary directory) and go when the load ends.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from operator import itemgetter
from typing import Any, BinaryIO

from ..stores.result import Rejected, UpsertResult
from ..types import CastRow
from .apply import Applied, Snapshot
from .quarantine import QUARANTINE, quarantine_rows
from .spec import MappingSpec, Target
from .write import upsert_target

#: Partitions per table (and per cut of a partition too large to write at once).
PARTITIONS = 32
#: The most rows written at once (a partition with more is cut again).
MAX_BATCH = 50_000
#: Items held in memory before they go to the files.
FLUSH_ITEMS = 20_000
#: How often a partition may be cut again (a partition of a single key cannot shrink; the
#: hash has 64 bits: 32 ** 12 is beyond them).
MAX_DEPTH = 8


class _Partitions:
    """Items spread over files by ``key(item)``; ``weight(item)`` rows each."""

    def __init__(self, folder: str, name: str, key: Callable[[Any], Any], weight: Callable[[Any], int],
                 salt: int = 0, count: int = PARTITIONS) -> None:
        self.folder, self.name, self.key, self.weight, self.salt = folder, name, key, weight, salt
        self.count = count
        self.buffers: list[list[Any]] = [[] for _ in range(count)]
        self.rows = [0] * count
        self.files: list[BinaryIO | None] = [None] * count
        self.held = 0

    def put(self, item: Any) -> None:
        # a cut uses the next digits (base count) of the key's hash, independent of the
        # digits that put the item in the partition being cut
        p = hash(self.key(item)) // self.count ** self.salt % self.count
        self.buffers[p].append(item)
        self.rows[p] += self.weight(item)
        self.held += 1
        if self.held >= FLUSH_ITEMS:
            self.flush()

    def flush(self) -> None:
        for p, buffer in enumerate(self.buffers):
            if buffer:
                file = self.files[p]
                if file is None:
                    file = self.files[p] = open(f"{self.folder}/{self.name}.{self.salt}.{p}", "w+b")  # noqa: SIM115
                pickle.dump(buffer, file, protocol=pickle.HIGHEST_PROTOCOL)
                self.buffers[p] = []
        self.held = 0

    def parts(self) -> Iterator[list[Any]]:
        """Each non-empty partition's items in input order, none larger than MAX_BATCH rows
        (unless it cannot be cut: one key)."""
        self.flush()
        for p in range(self.count):
            if self.rows[p] > MAX_BATCH and self.salt < MAX_DEPTH:
                cut = _Partitions(self.folder, f"{self.name}.{p}", self.key, self.weight, self.salt + 1)
                for item in self._read(p):
                    cut.put(item)
                self._drop(p)
                yield from cut.parts()
            elif self.rows[p] or self.files[p] is not None:
                yield list(self._read(p))
                self._drop(p)

    def _read(self, p: int) -> Iterator[Any]:
        file = self.files[p]
        if file is None:
            return
        file.seek(0)
        while True:
            try:
                block = pickle.load(file)  # noqa: S301 - our own file, written above
            except EOFError:
                return
            yield from block

    def _drop(self, p: int) -> None:
        file = self.files[p]
        if file is not None:
            file.close()
            self.files[p] = None

    def close(self) -> None:
        for p in range(self.count):
            self._drop(p)


class Spill:
    """Collect what a mapping makes of a large input (:meth:`add`), then write it all,
    partition by partition (:meth:`write`).  Use as a context manager."""

    def __init__(self, mapping: MappingSpec, captured_at: datetime | None, kept_rejects: int) -> None:
        self.mapping = mapping
        self.captured_at = captured_at
        self.kept = kept_rejects
        self._dir = tempfile.TemporaryDirectory(prefix="fieldhouse-load-")
        folder = self._dir.name
        self.columns = {name: mapping.targets[name].order for name in mapping.order}
        self.parts: dict[str, _Partitions] = {}
        for name in mapping.order:
            target = mapping.targets[name]
            if target.snapshot is None:
                key = _getter([self.columns[name].index(c) for c in target.table.primary_key])
                self.parts[name] = _Partitions(folder, name, key, _one)
            else:
                self.parts[name] = _Partitions(folder, name, _first, _unit_rows)
        self.quarantine = _Partitions(folder, "quarantine", _reject_id, _one)
        self.results = {name: UpsertResult(mapping.targets[name].table.name) for name in mapping.order}
        self.filtered = {name: 0 for name in mapping.order}
        self.examples: list[Rejected] = []

    def __enter__(self) -> Spill:
        return self

    def __exit__(self, *exc: object) -> None:
        for parts in (*self.parts.values(), self.quarantine):
            parts.close()
        self._dir.cleanup()

    def add(self, applied: Applied) -> None:
        for name in self.mapping.order:
            cols, parts = self.columns[name], self.parts[name]
            rows = applied.rows[name]
            if name in applied.snapshots:
                for snapshot, (start, end) in zip(applied.snapshots[name], applied.spans[name], strict=True):
                    parts.put((snapshot.parent, snapshot.version, list(map(_getter(cols), rows[start:end]))))
            else:
                values = _getter(cols)
                for row in rows:
                    parts.put(values(row))
            self.filtered[name] += applied.filtered[name]
            self._rejected(name, applied.rejects[name])

    def _rejected(self, name: str, rejects: list[Rejected]) -> None:
        """Count ``rejects`` for the target, keep the first few, park their quarantine rows."""
        if not rejects:
            return
        result = self.results[name]
        room = max(0, self.kept - len(result.rejects))
        result.rejects.extend(rejects[:room])
        result.rejects_omitted += len(rejects) - min(room, len(rejects))
        room = max(0, self.kept - len(self.examples))
        self.examples.extend(rejects[:room])
        for row in quarantine_rows(rejects, self.captured_at):
            self.quarantine.put(row)

    def write(self, store: Any) -> tuple[dict[str, UpsertResult], UpsertResult, dict[str, int], list[Rejected]]:
        """Write every target (in load order, partition by partition), then the quarantine;
        per target its counts, the quarantine's, rows filtered out, the first rejects."""
        for name in self.mapping.order:
            target = self.mapping.targets[name]
            for items in self.parts[name].parts():
                written = _write_part(store, target, self.columns[name], items)
                del items  # before the next part is read: one part in memory at a time
                refused = [replace(r, target=name) for r in written.rejects]
                written.rejects = []
                self.results[name] += written
                self._rejected(name, refused)  # the store's own refusals (none: the mapping casts)
        quarantine = UpsertResult(QUARANTINE.name)
        for items in self.quarantine.parts():
            quarantine += store.upsert(QUARANTINE, items)
            del items
        return self.results, quarantine, self.filtered, self.examples


def _write_part(store: Any, target: Target, columns: tuple[str, ...], items: list[Any]) -> UpsertResult:
    if target.snapshot is None:
        return upsert_target(store, target, [CastRow(zip(columns, t, strict=False)) for t in items])  # our own tuples
    rows: list[CastRow] = []
    snapshots, spans = [], []
    for parent, version, unit in items:
        start = len(rows)
        rows.extend(CastRow(zip(columns, t, strict=False)) for t in unit)
        snapshots.append(Snapshot(parent, version))
        spans.append((start, len(rows)))
    return upsert_target(store, target, rows, snapshots, spans)


def _getter(keys: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """The values at ``keys`` (indexes or column names) of a row, always as a tuple."""
    if len(keys) == 1:
        only = keys[0]
        return lambda row: (row[only],)
    return itemgetter(*keys)


def _first(item: tuple[Any, ...]) -> Any:
    return item[0]


def _one(item: Any) -> int:
    return 1


def _unit_rows(item: tuple[Any, Any, list[Any]]) -> int:
    return max(1, len(item[2]))


def _reject_id(row: dict[str, Any]) -> str:
    return row["reject_id"]
