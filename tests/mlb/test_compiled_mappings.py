"""Every shipped MLB mapping, compiled, makes exactly what the interpreter makes from every
recorded response (the differential test of mapping.compiled on real data)."""

from __future__ import annotations

import pytest

from fieldhouse.sources.mlb import schema

from ..mapping.helpers import assert_compiled_matches
from .helpers import FIXTURES, read_json

FILES = sorted(p for p in FIXTURES.rglob("*.json*") if p.is_file())


@pytest.mark.parametrize("name", schema.MAPPING_FILES)
def test_compiled_mapping_matches_the_interpreter_on_every_fixture(name: str) -> None:
    spec = schema.mapping(name)
    made = 0
    for path in FILES:
        applied = assert_compiled_matches(spec, [read_json(path)])
        made += sum(len(rows) for rows in applied.rows.values())
    assert made > 0
