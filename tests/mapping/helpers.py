"""Shared helpers of the mapping tests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from fieldhouse.mapping import Applied, MappingSpec, apply_mapping, parse_mapping

CAPTURED = datetime(2024, 5, 1, 12, tzinfo=UTC)


def plain(value: Any) -> Any:
    """Rows as JSON-like values: timestamps and dates ISO text, decimals text."""

    def default(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.isoformat()
        if isinstance(v, date):
            return v.isoformat()
        if isinstance(v, Decimal):
            return str(v)
        raise TypeError(type(v).__name__)

    return json.loads(json.dumps(value, default=default))


def run(yaml_text: str, records: list[Any], captured_at: datetime | None = CAPTURED) -> Applied:
    return apply_mapping(parse_mapping(yaml_text, "test.yaml"), records, captured_at)


def mapping(yaml_text: str) -> MappingSpec:
    return parse_mapping(yaml_text, "test.yaml")


def outcome(applied: Applied) -> dict[str, Any]:
    """Everything a mapping made, in order, with the columns of each row in their order."""
    return {
        "rows": {n: [list(row.items()) for row in rows] for n, rows in applied.rows.items()},
        "rejects": [(r.table, r.row, r.reason, r.target, r.location, r.origin) for r in applied.all_rejects()],
        "filtered": applied.filtered,
        "snapshots": applied.snapshots,
        "spans": applied.spans,
    }


def assert_compiled_matches(spec: MappingSpec, records: list[Any], captured_at: datetime | None = CAPTURED) -> Applied:
    """The compiled builder and the interpreter make the same rows and rejects, and every
    value has the same Python type (2 and 2.0 are equal but are not the same value)."""
    compiled = apply_mapping(spec, records, captured_at)
    interpreted = apply_mapping(spec, records, captured_at, compiled=False)
    assert outcome(compiled) == outcome(interpreted)
    for name, rows in compiled.rows.items():
        for mine, theirs in zip(rows, interpreted.rows[name], strict=True):
            assert [type(v) for v in mine.values()] == [type(v) for v in theirs.values()]
    return compiled
