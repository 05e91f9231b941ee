"""Build the NBA archive bundled in the package (``fieldhouse demo`` reads it offline).

It holds real recorded responses from ../shared/fixtures (see their SOURCES.md): the
2018-19 playoffs leaguegamelog in team and player mode, and the all-time player list
(commonallplayers, 2025-26).  Each is filed under the exact request fieldhouse's NBA sync
sends (nba_api builds the parameters), captured 2026-02-22 (when the nba_api recordings
were made), so an offline sync asks for and finds them.

    python scripts/build_demo_archive.py [FIXTURES_DIR]
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from nba_api.stats.endpoints import commonallplayers, leaguegamelog

import fieldhouse
from fieldhouse.sources.archive import export_archive
from fieldhouse.sources.http.response import Response, canonical_params
from fieldhouse.sources.raw import land

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "src" / "fieldhouse" / "data" / "nba_demo_archive"
CAPTURED = datetime(2026, 2, 22, 12, 0, tzinfo=UTC)


def requests(fixtures: Path):
    game_log = fixtures / "nba" / "leaguegamelog"
    for mode, name in (("T", "leaguegamelog_T_2018-19_playoffs_full.json"),
                       ("P", "leaguegamelog_P_2018-19_playoffs_full.json")):
        endpoint = leaguegamelog.LeagueGameLog(season="2018-19", season_type_all_star="Playoffs",
                                               player_or_team_abbreviation=mode, league_id="00",
                                               date_from_nullable="", get_request=False)
        yield endpoint, game_log / name
    endpoint = commonallplayers.CommonAllPlayers(season="2025-26", is_only_current_season=0,
                                                 league_id="00", get_request=False)
    yield endpoint, fixtures / "nba" / "commonallplayers" / "commonallplayers_2025-26_all_time_docs_sample.json"


def main() -> None:
    fixtures = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "fixtures"
    with tempfile.TemporaryDirectory() as tmp:
        with fieldhouse.connect(f"sqlite:///{tmp}/build.db") as store:
            for endpoint, file in requests(fixtures):
                body = file.read_bytes()
                response = Response(source="nba", endpoint=endpoint.endpoint,
                                    params=canonical_params(endpoint.parameters), body=body,
                                    data=json.loads(body), captured_at=CAPTURED)
                land(store, response)
            if TARGET.exists():
                shutil.rmtree(TARGET)
            report = export_archive(store, TARGET)
    print(f"wrote {TARGET}: {report.as_dict()}")


if __name__ == "__main__":
    main()
