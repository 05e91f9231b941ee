"""``fieldhouse status`` lists every table fieldhouse manages that the database holds, with
rows and newest version: the sources' tables, fieldhouse's own (raw zone, suspect
responses, quarantine, ledger ...) and the targets of loads that rows in fieldhouse_rejects
name."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from fieldhouse.cli import app

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "payments"
ENV = {"FIELDHOUSE_LOG_FILE": ""}


def test_status_lists_every_managed_table(tmp_path):
    url = f"sqlite:///{tmp_path / 'fh.db'}"
    assert runner.invoke(app, ["demo", "--db", url, "--json"], env=ENV).exit_code == 0
    data = tmp_path / "payments.csv"
    shutil.copy(EXAMPLE / "payments.csv", data)  # it holds rows the mapping rejects
    loaded = runner.invoke(app, ["load", str(data), "-m", str(EXAMPLE / "payments.yaml"), "--db", url], env=ENV)
    assert loaded.exit_code == 3, loaded.output  # some rows rejected
    status = json.loads(runner.invoke(app, ["status", "--db", url, "--json"], env=ENV).stdout)
    tables = {t["table"]: t for t in status["tables"]}
    for name in ("nba.teams", "nba.players", "nba.games", "fieldhouse_raw", "fieldhouse_runs",
                 "fieldhouse_units", "fieldhouse_watermarks"):
        assert name in tables, sorted(tables)
    assert tables["nba.players"]["rows"] == 5103 and tables["nba.games"]["newest"]
    assert tables["fieldhouse_rejects"]["rows"] > 0  # the quarantine, and the load's targets through it
    assert {"payments", "customers"} <= set(tables), sorted(tables)
    assert tables["payments"]["rows"] > 0
