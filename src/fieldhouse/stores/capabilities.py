"""What a store supports, so that code above it asks instead of assuming."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Capabilities:
    """``store.capabilities``: what a backend supports (see docs/upsert.md, "Stores").

    transactions
        One upsert batch is atomic (every store).
    multi_table_transactions
        ``with store.transaction():`` makes writes to several tables commit together.
    locks
        ``store.lock(name, wait)`` excludes other processes (and machines) sharing the store.
    server_side_cursors
        ``iter_rows`` streams without holding the result in memory.
    snapshots
        ``upsert(..., snapshots=)`` replaces a parent's child rows (tables with a parent_key).
    control
        The store can hold fieldhouse's own control tables: run ledger, units, watermarks,
        dead letters, raw landing zone, table catalog.
    partitions
        ``Table(..., partition_by=...)`` partitions the stored table (others ignore it).
    """

    transactions: bool = True
    multi_table_transactions: bool = False
    locks: bool = False
    server_side_cursors: bool = False
    snapshots: bool = False
    control: bool = False
    partitions: bool = False


#: SQLite and PostgreSQL: everything.
FULL = Capabilities(transactions=True, multi_table_transactions=True, locks=True,
                    server_side_cursors=True, snapshots=True, control=True)

#: Delta Lake: data only (one Delta commit per batch; no locks, no control tables).
DELTA = Capabilities(transactions=True, multi_table_transactions=False, locks=False,
                     server_side_cursors=True, snapshots=True, control=False, partitions=True)
