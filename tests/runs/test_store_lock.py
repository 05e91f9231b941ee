"""store.lock(name, wait): one holder at a time across connections; released on exit and
when the holder dies; store.max_value."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from fieldhouse import Table, connect
from fieldhouse.errors import LockBusyError


def test_second_holder_is_refused_then_admitted(db_url):
    with connect(db_url) as a, connect(db_url) as b:
        with a.lock("sync:nba"):
            started = time.monotonic()
            with pytest.raises(LockBusyError, match="sync:nba"):
                with b.lock("sync:nba", wait=0.3):
                    pass
            assert 0.25 <= time.monotonic() - started < 5
            with b.lock("sync:mlb"):  # another name is independent
                pass
        with b.lock("sync:nba"):  # released on exit
            pass


def test_lock_released_when_holder_process_is_killed(db_url):
    code = (
        "import sys, time, fieldhouse\n"
        "s = fieldhouse.connect(sys.argv[1])\n"
        "with s.lock('sync:nba'):\n"
        "    print('held', flush=True); time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, db_url], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        with connect(db_url) as store:
            with pytest.raises(LockBusyError):
                with store.lock("sync:nba"):
                    pass
            proc.kill()
            proc.wait()
            with store.lock("sync:nba", wait=5):
                pass
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_max_value(db_url):
    table = Table("t", {"k": "text", "v": "timestamptz"}, ["k"], "v")
    with connect(db_url) as store:
        store.ensure_table(table)
        assert store.max_value(table, "v") is None
        store.upsert(table, [{"k": "a", "v": "2024-01-01T00:00:00Z"}, {"k": "b", "v": "2024-02-01T00:00:00Z"}])
        assert store.max_value(table, "v").isoformat().startswith("2024-02-01T00:00:00")
