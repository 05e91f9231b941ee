"""``python tests/runs/killable.py ARGS...`` runs ``fieldhouse ARGS...``, optionally stopping
at a chosen point for the SIGKILL tests: ``FH_PAUSE_AT=transaction`` (inside the transaction
of unit ``FH_PAUSE_UNIT``, after its rows were written, before the commit) or ``between``
(right after that unit committed).  On reaching the point it prints ``PAUSED`` and sleeps."""

from __future__ import annotations

import os
import sys
import time

import fieldhouse.runs.execute as execute
import fieldhouse.runs.ledger as ledger

POINT = os.environ.get("FH_PAUSE_AT")
UNIT = os.environ.get("FH_PAUSE_UNIT")


def pause(where: str) -> None:
    print(f"PAUSED {where}", flush=True)
    time.sleep(120)


if POINT == "transaction":
    _unit_row = ledger.unit_row

    def unit_row(run, key, kind, status, **kw):
        row = _unit_row(run, key, kind, status, **kw)
        if status == "success" and key == UNIT:
            pause(f"in the transaction of {key}")
        return row

    ledger.unit_row = unit_row
elif POINT == "between":
    _run_unit = execute.run_unit

    def run_unit(stores, unit, record):
        outcome = _run_unit(stores, unit, record)
        if unit.key == UNIT:
            pause(f"after {unit.key} committed")
        return outcome

    execute.run_unit = run_unit

if __name__ == "__main__":
    from fieldhouse.cli import main

    sys.argv = ["fieldhouse", *sys.argv[1:]]
    main()
