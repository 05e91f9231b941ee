"""``fieldhouse status``: per table its rows and newest ``captured_at``; per source its last
run; the open dead letters; the last audit."""

from __future__ import annotations

import importlib
from typing import Any

from rich.table import Table as RichTable

from ..errors import FieldhouseError
from ..mapping.quarantine import QUARANTINE
from ..runs import deadletters, ledger
from ..runs.watermarks import WATERMARKS
from ..sources.raw import RAW_TABLE, SUSPECT_TABLE
from ..stores import Store, connect
from ..table import Table
from .app import DbOption, JsonOption, app, console, settings_for
from .runs import print_json, run_view, status_text, when

#: Modules whose ``TABLES`` (a dict of Table) status reports on, besides fieldhouse's own.
SOURCE_TABLES = ("fieldhouse.sources.nba.schema",)


def known_tables() -> list[Table]:
    tables: list[Table] = []
    for module in SOURCE_TABLES:
        try:
            tables.extend(importlib.import_module(module).TABLES.values())
        except (ImportError, AttributeError):
            continue
    return [*tables, RAW_TABLE, SUSPECT_TABLE, QUARANTINE, WATERMARKS, *ledger.LEDGER_TABLES,
            deadletters.DEAD_LETTERS_TABLE]


def managed_tables(store: Store) -> list[tuple[Table, bool]]:
    """Every table fieldhouse manages that this database holds, as (table, declared): the
    declared tables (the sources' mappings and fieldhouse's own), then the tables that
    rows in fieldhouse_rejects name (e.g. targets of ``fieldhouse load``), whose
    declaration is not known here (declared False: rows are counted, no newest version).
    The one place to switch to the ``fieldhouse_tables`` catalog once it exists."""
    found = [(t, True) for t in known_tables() if store.table_exists(t)]
    names = {t.name for t, _ in found}
    if store.table_exists(QUARANTINE):
        for name in sorted({r["table_name"] for r in store.rows(QUARANTINE)} - names):
            try:
                stub = Table(name, columns={"k": "int", "v": "timestamptz"}, primary_key=["k"], version="v")
            except FieldhouseError:  # not a name fieldhouse could have written
                continue
            if store.table_exists(stub):
                found.append((stub, False))
    return found


def table_status(store: Store) -> list[dict[str, Any]]:
    out = []
    for table, declared in managed_tables(store):
        if not declared:
            out.append({"table": table.name, "rows": store.count(table), "newest_column": None, "newest": None})
            continue
        newest_column = "captured_at" if "captured_at" in table.columns else table.version
        out.append({"table": table.name, "rows": store.count(table),
                    "newest_column": newest_column, "newest": store.max_value(table, newest_column)})
    return out


def collect(store: Store, settings) -> dict[str, Any]:
    runs = ledger.list_runs(store)
    sources: dict[str, dict[str, Any]] = {}
    for run in runs:  # newest first
        entry = sources.setdefault(run["source"], {"source": run["source"], "last_run": None, "last_success": None})
        if entry["last_run"] is None:
            entry["last_run"] = _brief(run_view(run, settings))
        if entry["last_success"] is None and run["status"] == "success":
            entry["last_success"] = _brief(run_view(run, settings))
    audited = next((r for r in runs if r.get("audit")), None)
    letters = deadletters.list_letters(store)
    return {
        "database": settings.database.redacted,
        "tables": table_status(store),
        "sources": list(sources.values()),
        "open_dead_letters": [{k: r[k] for k in ("id", "source", "unit_key", "attempts", "first_seen",
                                                 "last_seen", "error")} for r in letters],
        "last_audit": None if audited is None else {
            "run_id": audited["run_id"], "source": audited["source"], "command": audited["command"],
            "at": audited["finished_at"] or audited["started_at"], **audited["audit"]},
    }


def _brief(view: dict[str, Any]) -> dict[str, Any]:
    return {k: view[k] for k in ("run_id", "command", "status", "started_at", "finished_at", "error",
                                  "looks_dead")}


@app.command("status")
def status_command(db: DbOption = None, as_json: JsonOption = False) -> None:
    """What is in the database and how the last runs went."""
    settings = settings_for(db)
    with connect(settings.database) as store:
        data = collect(store, settings)
    if as_json:
        print_json(data)
        return
    table = RichTable(title=f"tables in {data['database']}")
    for name in ("table", "rows", "newest"):
        table.add_column(name, justify="right" if name == "rows" else "left")
    for t in data["tables"]:
        table.add_row(t["table"], str(t["rows"]), f"{when(t['newest'])} ({t['newest_column']})" if t["newest"] else "")
    console.print(table)
    if not data["sources"]:
        console.print("no runs recorded yet")
    for s in data["sources"]:
        last = s["last_run"]
        line = (f"{s['source']}: last run {last['run_id']} ({last['command']}) {status_text(last)} "
                f"at {when(last['started_at'])} UTC")
        if s["last_success"] and s["last_success"]["run_id"] != last["run_id"]:
            line += f"; last success {when(s['last_success']['started_at'])} UTC"
        console.print(line, highlight=False)
        if last["error"]:
            console.print(f"  {last['error'][:300]}", highlight=False)
    letters = data["open_dead_letters"]
    console.print(f"open dead letters: {len(letters)}" + ("".join(
        f"\n  {r['id']} {r['source']} {r['unit_key']} ({r['attempts']} attempts): {(r['error'] or '')[:120]}"
        for r in letters[:10])), highlight=False)
    audit = data["last_audit"]
    if audit is None:
        console.print("last audit: none")
    else:
        failed = [r["name"] for r in audit["results"] if not r["passed"]]
        console.print(f"last audit: run {audit['run_id']} at {when(audit['at'])} UTC: "
                      + ("[green]all passed[/]" if not failed else f"[red]failed:[/] {', '.join(failed)}"),
                      highlight=False)
