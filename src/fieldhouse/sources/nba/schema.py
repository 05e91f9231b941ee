"""The NBA tables, declared by the YAML mappings shipped in ``mappings/``."""

from __future__ import annotations

from functools import cache
from importlib import resources

from ...mapping import MappingSpec, load_mapping
from ...table import Table
from . import functions

MAPPING_FILES = ("teams", "commonallplayers", "leaguegamelog_team", "leaguegamelog_player", "scoreboardv2")
# Dimensions first, then facts.
TABLE_ORDER = ("nba.teams", "nba.players", "nba.games", "nba.team_game_stats", "nba.player_game_stats")


@cache
def mapping(name: str) -> MappingSpec:
    """A shipped NBA mapping by file stem (checked once, then cached)."""
    functions.register()
    path = resources.files("fieldhouse.sources.nba").joinpath("mappings", f"{name}.yaml")
    with resources.as_file(path) as file:
        return load_mapping(file)


@cache
def tables() -> dict[str, Table]:
    found: dict[str, Table] = {}
    for name in MAPPING_FILES:
        for table in mapping(name).tables():
            previous = found.setdefault(table.name, table)
            if previous.columns != table.columns or previous.primary_key != table.primary_key:
                raise AssertionError(f"mappings disagree on the columns of {table.name}")
    return {name: found[name] for name in TABLE_ORDER}


def __getattr__(name: str):
    """``TABLES`` ({table name: Table}, dimensions first) is built on first use."""
    if name == "TABLES":
        return tables()
    raise AttributeError(name)
