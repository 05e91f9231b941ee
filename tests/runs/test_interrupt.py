"""Ctrl-C (SIGINT) and SIGTERM sent to a real ``fieldhouse sync nba``: the unit's
transaction rolls back, the unit and the run are recorded as failed with the reason, the
process exits 130 / 143, and no unit is left ``running``."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from fieldhouse import connect
from fieldhouse.runs import ledger

from .test_kill import KILLABLE, SYNC, _wait_for, env_for, server, snapshot  # noqa: F401

CASES = {
    # signal, where it arrives, exit code, recorded reason
    "ctrl-c in a transaction": (signal.SIGINT, "transaction", 130, "interrupted (Ctrl-C)"),
    "sigterm in a transaction": (signal.SIGTERM, "transaction", 143, "terminated (SIGTERM)"),
    "ctrl-c during a fetch": (signal.SIGINT, "fetch", 130, "interrupted (Ctrl-C)"),
    "sigterm during a fetch": (signal.SIGTERM, "fetch", 143, "terminated (SIGTERM)"),
}


def _default_sigint() -> None:  # a shell may start background jobs with SIGINT ignored
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_signal_ends_the_run_and_its_unit_as_failed(case, db_url, server, tmp_path):  # noqa: F811
    signum, where, code, why = CASES[case]
    extra = {}
    if where == "fetch":
        server.fail("delay", seconds=60, path="/stats/leaguegamelog")
    else:
        extra = {"FH_PAUSE_AT": "transaction", "FH_PAUSE_UNIT": "nba/2018-19/playoffs"}
    proc = subprocess.Popen([sys.executable, str(KILLABLE), *SYNC], env=env_for(db_url, server, tmp_path, **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_default_sigint)
    try:
        if where == "fetch":
            _wait_for(lambda: any(r.path == "/stats/leaguegamelog" for r in server.requests), proc)
        else:
            line = proc.stdout.readline()
            assert line.startswith("PAUSED"), line + proc.stderr.read()
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, out + err
    assert why in err and "Traceback" not in err
    after = snapshot(db_url)
    assert after["nba.games"] == [] and after["watermarks"] == []  # the unit's transaction rolled back
    with connect(db_url) as store:
        [run] = ledger.list_runs(store)
        units = {u["unit_key"]: u for u in ledger.unit_rows(store, run["run_id"])}
    assert run["status"] == "failed" and run["error"] == why and run["finished_at"] is not None
    assert units["nba/2018-19/playoffs"]["status"] == "failed"
    assert units["nba/2018-19/playoffs"]["error"] == why
    assert "running" not in {u["status"] for u in units.values()}
