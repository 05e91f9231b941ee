"""Made tests/stores/data/release_0_1.db: a SQLite database written by fieldhouse 0.1
(rank version 1: BLAKE2b over Python's text form of the values; no table catalog), for
tests/stores/test_rank_upgrade.py.  Kept for the record; it only runs with that release:

    PYTHONPATH=<a checkout of 0.1>/src python tests/stores/data/make_release_0_1_db.py OUT.db
"""

from __future__ import annotations

import sys

import fieldhouse

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from release_0_1_rows import ROWS, TABLE  # noqa: E402

with fieldhouse.connect(f"sqlite:///{sys.argv[1]}") as store:
    store.ensure_table(TABLE)
    for batch in ROWS:
        store.upsert(TABLE, batch)
