"""The offline demo: the real NBA sync path over the archive bundled in the package."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from ...runs import RunReport
from ...stores import connect
from .run import sync_nba
from .schema import tables

DEMO_SEASON = "2018-19"
DEMO_SEASON_TYPE = "playoffs"


@contextmanager
def bundled_archive() -> Iterator[Path]:
    """The folder of the bundled archive (real recorded responses; see its index.jsonl)."""
    with resources.as_file(resources.files("fieldhouse").joinpath("data", "nba_demo_archive")) as path:
        yield Path(path)


def run_demo(settings: Any) -> tuple[RunReport, list[dict[str, Any]]]:
    """Sync the 2018-19 playoffs from the bundled archive; return the report and the Finals."""
    with bundled_archive() as archive:
        report = sync_nba(settings, [DEMO_SEASON], [DEMO_SEASON_TYPE], archive=str(archive), command="demo")
    finals = []
    with connect(settings.database) as store:
        names = {t["team_id"]: t["abbreviation"] for t in store.rows(tables()["nba.teams"])}
        for game in store.rows(tables()["nba.games"], where={"season": DEMO_SEASON}):
            if game["game_id"].startswith("00418004"):  # round 4: the Finals
                finals.append({**game, "home": names.get(game["home_team_id"]),
                               "away": names.get(game["away_team_id"]),
                               "winner": names.get(game["winner_team_id"])})
    return report, finals
