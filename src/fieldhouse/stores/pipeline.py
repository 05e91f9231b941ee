"""Large batches: prepare one chunk in Python while a worker thread writes the previous one.

:func:`split` reads only the primary key of each row, sorts the rows by key (a stable
sort: the copies of a key keep their input order) and cuts the sorted rows into chunks,
never between two copies of one key.  Each chunk then goes through ``prepare`` on its
own: resolving copies of a key needs only that key's rows, in input order, so the
chunks give the rows, counts and rejects the whole batch would give.  :func:`run` writes
chunk *i* on a worker thread while the calling thread prepares chunk *i + 1*; the worker
spends its time waiting for the server, so Python and PostgreSQL use different cores.
All of it runs in the batch's one transaction, on the store's one connection.

Chunks are in key order, and a chunk's rows are written in key order (the upsert orders
its stage by key; a chunk of new keys is COPYed in the order sorted here), so a batch takes
its row locks in one global key order, the order a single statement would take them in.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from operator import eq, itemgetter
from typing import Any

from ..table import Table
from ..types import INT_RANGE, caster
from .prepare import Prepared
from .result import CONFLICT_LIMIT, Rejected, UpsertResult

#: Key column types whose Python order is the database's order (text compared as "C").
SORTABLE = {"text", "int", "bigint", "bool", "date", "timestamptz", "decimal"}
#: Types whose values need no cast when they have exactly this Python type.
_EXACT = {"text": str, "int": int, "bigint": int}


@dataclass
class Plan:
    """A batch cut into key-ordered chunks.  ``positions`` give each row's place in the
    input; ``irregular`` holds the rows whose key could not be read (they are rejected by
    ``prepare``, or make it raise, exactly as in the whole batch)."""

    rows: Sequence[Any]
    chunks: list[list[Any]] = field(default_factory=list)
    positions: list[list[int]] = field(default_factory=list)
    irregular: list[Any] = field(default_factory=list)
    irregular_positions: list[int] = field(default_factory=list)
    unique: list[bool] = field(default_factory=list)  # per chunk: no two rows share a key

    def result(self, table: Table, chunks: Sequence[Prepared], irregular: Prepared | None,
               conflict_limit: int = CONFLICT_LIMIT) -> UpsertResult:
        """What ``prepare`` of the whole batch would report: superseded counts, and the
        rejects in input order."""
        found: list[tuple[int, Rejected]] = []
        parts = [(p, self.chunks[i], self.positions[i]) for i, p in enumerate(chunks)]
        if irregular is not None:
            parts.append((irregular, self.irregular, self.irregular_positions))
        stale = same = 0
        for prepared, rows, positions in parts:
            stale += prepared.superseded_stale
            same += prepared.superseded_same
            found += _placed(prepared.rejects, rows, positions)
        found.sort(key=itemgetter(0))
        result = UpsertResult(table.name, stale=stale, unchanged=same, rejects=[r for _, r in found],
                              conflict_limit=conflict_limit)
        for prepared, _, _ in parts:
            result.add_conflicts(prepared.conflicts)
        return result


def _placed(rejects: list[Rejected], rows: list[Any], positions: list[int]) -> list[tuple[int, Rejected]]:
    """The input position of each reject; ``prepare`` lists them in the order of ``rows``."""
    out, j = [], 0
    for reject in rejects:
        while rows[j] is not reject.row:
            j += 1
        out.append((positions[j], reject))
        j += 1
    return out


def split(table: Table, rows: Sequence[Any], chunk_rows: int) -> Plan | None:
    """Cut ``rows`` into chunks of ``chunk_rows`` rows in key order (smaller ones at the
    end), or None when the key's Python order is not the database's (the batch is then
    written whole)."""
    if any(table.columns[c].type.name not in SORTABLE for c in table.primary_key):
        return None
    return _split(table, rows, chunk_rows)


def _split(table: Table, rows: Sequence[Any], chunk_rows: int) -> Plan | None:
    plan = Plan(rows)
    keys = _exact_keys(table, rows)
    where: list[int] | None = None  # the input position of each key; None: keys[i] is row i's
    if keys is None:
        keys, where = [], []
        key_of = _key_reader(table)
        for i, raw in enumerate(rows):
            key = key_of(raw)
            if key is None:
                plan.irregular.append(raw)
                plan.irregular_positions.append(i)
            else:
                keys.append(key)
                where.append(i)
    try:
        order = sorted(range(len(keys)), key=keys.__getitem__)  # stable: copies keep input order
    except TypeError:  # values of a key column that do not compare: write the batch whole
        return None
    start, n = 0, len(order)
    while start < n:
        # Halve the chunks towards the end: the last one is written while Python waits.
        left = n - start
        size = chunk_rows if left > 2 * chunk_rows else max(chunk_rows // 8, (left + 1) // 2, 1)
        end = min(start + size, n)
        while end < n and keys[order[end]] == keys[order[end - 1]]:
            end += 1  # never cut between copies of one key
        positions = order[start:end] if where is None else list(map(where.__getitem__, order[start:end]))
        plan.positions.append(positions)
        plan.chunks.append(list(map(rows.__getitem__, positions)))
        sorted_keys = list(map(keys.__getitem__, order[start:end]))
        plan.unique.append(not any(map(eq, sorted_keys, islice(sorted_keys, 1, None))))
        start = end
    return plan


def _exact_keys(table: Table, rows: Sequence[Any]) -> list[tuple[Any, ...]] | None:
    """The keys of all rows, when every row is a dict whose key values already have their
    cast type (so the cast value is the value itself); None otherwise."""
    cols = table.primary_key
    kinds = [table.columns[c].type.name for c in cols]
    if any(k not in _EXACT for k in kinds) or set(map(type, rows)) != {dict}:
        return None
    try:
        keys = list(map(itemgetter(*cols), rows)) if len(cols) > 1 else list(zip(map(itemgetter(cols[0]), rows)))
    except KeyError:
        return None
    for j, kind in enumerate(kinds):
        if set(map(type, map(itemgetter(j), keys))) != {_EXACT[kind]}:
            return None
        low, high = INT_RANGE.get(kind, (None, None))
        if low is not None and keys and not (low <= min(map(itemgetter(j), keys)) and
                                             max(map(itemgetter(j), keys)) <= high):
            return None
    return keys


def _key_reader(table: Table) -> Callable[[Any], tuple[Any, ...] | None]:
    """The cast key of one row (as ``prepare`` computes it), or None when it has none."""
    cols = list(table.primary_key)
    casts = [caster(table.columns[c].type) for c in cols]

    def key_of(raw: Any) -> tuple[Any, ...] | None:
        if not isinstance(raw, Mapping):
            return None
        try:
            out = []
            for col, cast in zip(cols, casts, strict=True):
                value = raw.get(col)
                if value is None:
                    return None
                out.append(cast(value))
            return tuple(out)
        except Exception:  # prepare will reject the row (or raise) with its own reason
            return None

    return key_of


def run(
    n: int,
    prepare: Callable[[int], Prepared],
    write: Callable[[Prepared], dict[str, int]],
    stats: dict[str, float] | None = None,
) -> dict[str, int]:
    """``write`` each chunk ``prepare(0..n-1)`` gives on a worker thread, while this thread
    prepares the next chunk; the summed counts.  The worker mostly waits for the server
    (psycopg lets go of the interpreter meanwhile).  An error of either side is raised here
    once the worker has stopped: the worker is never left running."""
    stats = {} if stats is None else stats
    totals: dict[str, int] = {}
    pending: Future[dict[str, int]] | None = None
    clock = time.perf_counter
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="fieldhouse-write") as pool:
        for i in range(n):
            t0 = clock()
            prepared = prepare(i)
            t1 = clock()
            if pending is not None:
                _add(totals, pending.result())
            stats["prepare"] = stats.get("prepare", 0.0) + t1 - t0
            stats["wait"] = stats.get("wait", 0.0) + clock() - t1
            pending = pool.submit(_timed, write, prepared, stats)
        if pending is not None:
            t1 = clock()
            _add(totals, pending.result())
            stats["wait"] = stats.get("wait", 0.0) + clock() - t1
        # leaving the block waits for the worker, whatever was raised
    return totals


def _timed(write: Callable[[Prepared], dict[str, int]], prepared: Prepared, stats: dict[str, float]) -> dict[str, int]:
    t0 = time.perf_counter()
    try:
        return write(prepared)
    finally:
        stats["write"] = stats.get("write", 0.0) + time.perf_counter() - t0


def _add(totals: dict[str, Any], counts: Mapping[str, Any]) -> None:
    for name, value in counts.items():
        if isinstance(value, list):  # the conflict sample
            totals.setdefault(name, []).extend(value)
        else:
            totals[name] = totals.get(name, 0) + value
