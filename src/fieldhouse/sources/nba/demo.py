"""The offline demo: the real NBA sync over the archive bundled in the package (real
recorded responses of the 2018-19 playoffs), then the 2019 Finals from ``nba.games``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from ...stores import Store
from ..protocol import Demo, Shown
from .schema import tables

DEMO_SEASON = "2018-19"
DEMO_SEASON_TYPE = "playoffs"


@contextmanager
def bundled_archive() -> Iterator[Path]:
    """The folder of the bundled archive (real recorded responses; see its index.jsonl)."""
    with resources.as_file(resources.files("fieldhouse").joinpath("data", "nba_demo_archive")) as path:
        yield Path(path)


def finals(store: Store) -> list[Shown]:
    """The 2019 Finals (round 4 of the 2018-19 playoffs), as ``nba.games`` holds them."""
    names = {t["team_id"]: t["abbreviation"] for t in store.rows(tables()["nba.teams"])}
    rows = []
    for g in store.rows(tables()["nba.games"], where={"season": DEMO_SEASON}):
        if g["game_id"].startswith("00418004"):
            rows.append([g["game_id"], str(g["game_date"]), names.get(g["home_team_id"]),
                         f"{g['home_score']}-{g['away_score']}", names.get(g["away_team_id"]),
                         names.get(g["winner_team_id"])])
    return [Shown("The 2019 Finals, from nba.games",
                  ["game_id", "game_date", "home", "score", "away", "winner"], sorted(rows))]


DEMO = Demo(
    title="the 2018-19 NBA playoffs",
    options={"season": DEMO_SEASON, "season_type": DEMO_SEASON_TYPE},
    archive=bundled_archive,
    summary=finals,
)
