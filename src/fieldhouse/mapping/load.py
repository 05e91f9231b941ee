"""Loading records through a mapping into a store, in one transaction, in bounded memory.

Records are mapped a few at a time.  An input whose rows fit in one chunk
(``CHUNK_ROWS`` rows and rejects) is written as one batch per target, as
:func:`~fieldhouse.mapping.write.write_applied` does; a larger one is parked on disk by key
(:mod:`fieldhouse.mapping.spill`) and written partition by partition.  Either way it is
one transaction (all or nothing), referenced targets are written before the targets that
reference them, and the counts are exactly those one write of all the rows would report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any

from .apply import Applied, Record, apply_mapping
from .quarantine import QUARANTINE
from .spec import MappingSpec
from .spill import Spill
from .write import LoadResult, write_applied

#: Rows (and rejects) a load holds in memory before it parks them on disk.
CHUNK_ROWS = 50_000
#: Records mapped at a time.
MAP_RECORDS = 500
#: Rejects a load keeps in its result (per table, and in ``LoadResult.rejects``); the
#: quarantine holds them all.
KEPT_REJECTS = 100


def load_records(store: Any, mapping: MappingSpec, records: Iterable[Any], captured_at: datetime | None = None) -> LoadResult:
    """Apply ``mapping`` to ``records`` (an iterable, read once, never held whole) and
    write every target's rows and the quarantine in one transaction."""
    with store.transaction():
        parts = _mapped(mapping, records, captured_at)
        first = next(parts, None)
        if first is None:
            first = apply_mapping(mapping, [], captured_at)
        for part in parts:
            first.extend(part)
            if first.size > CHUNK_ROWS:
                held = [first]
                del first  # the spill takes it over: nothing here keeps it alive
                return _spilled(store, mapping, captured_at, held, parts)
        return write_applied(store, first, captured_at)


def _mapped(mapping: MappingSpec, records: Iterable[Any], captured_at: datetime | None) -> Iterator[Applied]:
    items = iter(records)
    while True:
        batch: list[Record | Any] = list(islice(items, MAP_RECORDS))
        if not batch:
            return
        yield apply_mapping(mapping, batch, captured_at)


def _spilled(store: Any, mapping: MappingSpec, captured_at: datetime | None, held: list[Applied],
             rest: Iterator[Applied]) -> LoadResult:
    for table in [*mapping.tables(), QUARANTINE]:
        store.ensure_table(table)
    with Spill(mapping, captured_at, KEPT_REJECTS) as spill:
        spill.add(held.pop())
        for part in rest:
            spill.add(part)
        tables, quarantine, filtered, examples = spill.write(store)
    return LoadResult(
        tables={mapping.targets[n].table.name: tables[n] for n in mapping.order},
        quarantine=quarantine,
        filtered={mapping.targets[n].table.name: filtered[n] for n in mapping.order},
        rejects=examples,
    )
