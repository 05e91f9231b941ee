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
