"""Printing, shared by the commands: JSON on stdout, times, statuses, counts tables."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .app import console


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return str(value)


def print_json(data: Any) -> None:
    """One JSON object on stdout (query results, reports: anything with ``model_dump``)."""
    if hasattr(data, "model_dump"):
        data = data.model_dump()
    console().print_json(json.dumps(data, default=plain))


def when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else ""


def status_text(status: str, looks_dead: str | None = None) -> str:
    colour = {"success": "green", "partial": "yellow", "failed": "red", "abandoned": "red"}.get(status, "cyan")
    return f"[{colour}]{status}[/]" + (" [red](looks dead)[/]" if looks_dead else "")


def totals(counts: Mapping[str, Mapping[str, int]] | None) -> str:
    """The outcomes summed over tables, briefly (``ins 82 unc 3``)."""
    from ..stores.counts import total

    if not counts:
        return ""
    return " ".join(f"{k[:3]} {v}" for k, v in total(counts.values()).items() if v)


def counts_table(title: str, counts: Mapping[str, Mapping[str, int]]):
    """A table of rows per table and outcome."""
    from rich.table import Table as RichTable

    from ..stores.result import OUTCOMES

    table = RichTable(title=title)
    table.add_column("table")
    for name in OUTCOMES:
        table.add_column(name, justify="right")
    for name, per_table in counts.items():
        table.add_row(name, *(str(per_table.get(k, 0)) for k in OUTCOMES))
    return table


def show_report(report) -> None:
    """A run's report: its counts per table, then each unit that did not succeed."""
    data = report.as_dict()
    title = f"{data['command']} {data['source']}: {data['status']} ({data['http_calls']} HTTP calls)"
    if not data["tables"]:  # e.g. a failed pre-flight: no empty table, the error says why
        console().print(title + (f": {data['error']}" if data.get("error") else ", nothing written"),
                        highlight=False)
    else:
        console().print(counts_table(title, data["tables"]))
    for unit in data["units"]:
        if unit["status"] != "success":
            console().print(f"[red]unit {unit['key']} failed:[/] {unit['error']}", highlight=False)
    for advice in data.get("suggestions", ()):
        console().print(f"suggestion: {advice}", highlight=False)
