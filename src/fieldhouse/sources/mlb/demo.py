"""The offline MLB demo: ``--from-files`` over the folder bundled in the package (real
recorded captures, see scripts/build_mlb_demo_archive.py), read in name order: game
717209's Final capture, then its *older* Live capture, which changes nothing (every row of
it is stale: versions are the feed's ``metaData.timeStamp``, not when it was read), the two
captures of 746139 newest first, two other final games and the 2024 teams.  It shows what
each file did, then 717209's line score from ``mlb.linescore`` and ``mlb.games``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from ...stores import Store
from ..protocol import Demo, Shown
from .schema import tables

DEMO_GAME = 717209


@contextmanager
def bundled_folder() -> Iterator[Path]:
    """The folder of recorded MLB responses bundled in the package."""
    with resources.as_file(resources.files("fieldhouse").joinpath("data", "mlb_demo_archive")) as path:
        yield Path(path)


def per_file(report: Any) -> list[Shown]:
    """What each file of the run did: an older capture read after a newer one is all stale."""
    rows = []
    for unit in report.units:
        counts = [r for name, r in unit.tables.items() if name.startswith("mlb.")]
        rows.append([Path(unit.key.partition("/file/")[2]).name, unit.status,
                     *(sum(getattr(r, outcome) for r in counts) for outcome in ("inserted", "updated", "unchanged", "stale"))])
    return [Shown("Each recorded file, in the order read (rows of every mlb table): an older capture "
                  "read after a newer one changes nothing (all stale)",
                  ["file", "status", "inserted", "updated", "unchanged", "stale"], rows)]


def line_score(store: Store, game_pk: int = DEMO_GAME) -> list[Shown]:
    """The game's line score: runs per inning, then R H E, from the tables."""
    t = tables()
    [game] = store.rows(t["mlb.games"], where={"game_pk": game_pk}) or [None]
    if game is None:
        return []
    names = {r["team_id"]: r["abbreviation"] for r in store.rows(t["mlb.teams"])} if store.table_exists(
        t["mlb.teams"]) else {}
    innings = store.rows(t["mlb.linescore"], where={"game_pk": game_pk})
    count = max((r["inning"] for r in innings), default=0)
    rows = []
    for side in ("away", "home"):
        runs = {r["inning"]: r["runs"] for r in innings if r["side"] == side}
        team = game[f"{side}_team_id"]
        rows.append([names.get(team, team), *("" if runs.get(n) is None else runs[n] for n in range(1, count + 1)),
                     game[f"{side}_score"], game[f"{side}_hits"], game[f"{side}_errors"]])
    title = (f"Game {game_pk}, {game['official_date']}, {game['detailed_state']}: "
             f"from mlb.games and mlb.linescore (as of the feed's {game['updated_at']:%Y-%m-%d %H:%M:%S} UTC)")
    return [Shown(title, ["team", *(str(n) for n in range(1, count + 1)), "R", "H", "E"], rows)]


def summary(store: Store) -> Sequence[Shown]:
    return line_score(store)


DEMO = Demo(
    title="MLB captures: a Final feed, then an older Live one",
    options={},
    archive=bundled_folder,
    summary=summary,
    folder_option="from_files",
    explain=per_file,
    order=1,  # after the NBA demo
)
