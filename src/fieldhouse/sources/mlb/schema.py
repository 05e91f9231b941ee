"""The MLB tables, declared by the YAML mappings shipped in ``mappings/``.

One mapping per endpoint, except the live feed, whose eleven tables are split over four
files (``FEED_MAPPINGS``) to keep each readable; a feed is applied with all four (in one
transaction: the store's transactions nest).
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from ...mapping import MappingSpec, load_mapping
from ...table import Table
from . import functions

#: The live feed's mappings, dimensions first.
FEED_MAPPINGS = ("feed_game", "feed_plays", "feed_pitches", "feed_boxscore")
#: The mapping of each other endpoint the source reads.
ENDPOINT_MAPPINGS = {"schedule": "schedule", "teams": "teams", "people": "people"}
MAPPING_FILES = (*FEED_MAPPINGS, *ENDPOINT_MAPPINGS.values())
# Dimensions first, then games, then the children of a game.
TABLE_ORDER = (
    "mlb.teams", "mlb.venues", "mlb.players", "mlb.schedule", "mlb.games", "mlb.linescore",
    "mlb.plays", "mlb.pitches", "mlb.play_actions", "mlb.runners", "mlb.runner_credits",
    "mlb.batting", "mlb.pitching",
)
#: The tables whose rows a feed replaces as a whole snapshot of its game (parent key game_pk).
GAME_CHILDREN = (
    "mlb.linescore", "mlb.plays", "mlb.pitches", "mlb.play_actions", "mlb.runners",
    "mlb.runner_credits", "mlb.batting", "mlb.pitching",
)


@cache
def mapping(name: str) -> MappingSpec:
    """A shipped MLB mapping by file stem (checked once, then cached)."""
    functions.register()
    path = resources.files("fieldhouse.sources.mlb").joinpath("mappings", f"{name}.yaml")
    with resources.as_file(path) as file:
        return load_mapping(file)


def feed_mappings() -> list[MappingSpec]:
    return [mapping(name) for name in FEED_MAPPINGS]


@cache
def tables() -> dict[str, Table]:
    found: dict[str, Table] = {}
    for name in MAPPING_FILES:
        for table in mapping(name).tables():
            previous = found.setdefault(table.name, table)
            if previous != table:
                raise AssertionError(f"mappings disagree on the declaration of {table.name}")
    if set(found) != set(TABLE_ORDER):
        raise AssertionError(f"tables {sorted(set(found) ^ set(TABLE_ORDER))} are not in TABLE_ORDER")
    return {name: found[name] for name in TABLE_ORDER}


def __getattr__(name: str):
    """``TABLES`` ({table name: Table}, dimensions first) is built on first use."""
    if name == "TABLES":
        return tables()
    raise AttributeError(name)
