"""Every shipped NBA mapping, compiled, makes exactly what the interpreter makes from every
recorded response (the differential test of mapping.compiled on real data)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from fieldhouse.sources.nba import schema
from fieldhouse.sources.nba.teams import all_teams

from ..mapping.helpers import assert_compiled_matches

NAMES = sorted(p.name.removesuffix(".yaml") for p in resources.files("fieldhouse.sources.nba").joinpath("mappings").iterdir()
               if p.name.endswith(".yaml"))


@pytest.mark.parametrize("name", NAMES)
def test_compiled_mapping_matches_the_interpreter_on_every_fixture(name: str, fixtures_dir: Path) -> None:
    spec = schema.mapping(name)
    made = 0
    if name == "teams":  # its records are the bundled team list, not a response
        applied = assert_compiled_matches(spec, all_teams())
        made += sum(len(rows) for rows in applied.rows.values())
    for path in sorted((fixtures_dir / "nba").rglob("*.json")):
        applied = assert_compiled_matches(spec, [json.loads(path.read_text())])
        made += sum(len(rows) for rows in applied.rows.values())
    assert made > 0  # the mapping's own endpoint is among the fixtures
