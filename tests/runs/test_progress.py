"""Progress: plain lines per unit when stderr is not a terminal, a rich bar when it is."""

from __future__ import annotations

import io
import logging

from rich.console import Console

from fieldhouse.runs.progress import UnitProgress


def test_plain_lines_when_not_a_terminal(caplog):
    progress = UnitProgress("nba sync", bar=False)
    with caplog.at_level(logging.INFO, logger="fieldhouse.runs"):
        progress.start(2)
        progress.unit_started("nba/teams")
        progress.unit_done("nba/teams", "success")
        progress.unit_started("nba/2018-19/playoffs")
        progress.unit_done("nba/2018-19/playoffs", "failed", "HTTP 503")
        progress.close()
    assert [r.getMessage() for r in caplog.records] == [
        "unit 1/2 nba/teams: started", "unit 1/2 nba/teams: success",
        "unit 2/2 nba/2018-19/playoffs: started", "unit 2/2 nba/2018-19/playoffs: failed (HTTP 503)"]


def test_bar_on_a_terminal(monkeypatch):
    out = io.StringIO()
    import fieldhouse.runs.progress as module

    monkeypatch.setattr("rich.console.Console", lambda **kw: Console(file=out, force_terminal=True, width=100))
    progress = module.UnitProgress("nba sync", bar=True)
    progress.start(1)
    progress.unit_started("nba/teams")
    progress.unit_done("nba/teams", "success")
    progress.close()
    assert "1/1" in out.getvalue()
