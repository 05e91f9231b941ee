"""The NBA source against the source contract kit (fieldhouse.testing.contract), with real
recorded responses of each endpoint it maps."""

from __future__ import annotations

import pytest

from fieldhouse.testing import Sample, SourceContract


class TestNBASourceContract(SourceContract):
    source_name = "nba"
    sync_options = {"season": "2018-19", "season_type": "playoffs"}

    @pytest.fixture
    def samples(self, fixtures_dir):
        nba = fixtures_dir / "nba"
        playoffs = {"Season": "2018-19", "SeasonType": "Playoffs", "LeagueID": "00"}
        return [
            Sample("leaguegamelog", {**playoffs, "PlayerOrTeam": "T"},
                   (nba / "leaguegamelog" / "leaguegamelog_T_2018-19_playoffs_full.json").read_bytes()),
            Sample("leaguegamelog", {**playoffs, "PlayerOrTeam": "P"},
                   (nba / "leaguegamelog" / "leaguegamelog_P_2018-19_playoffs_full.json").read_bytes()),
            Sample("commonallplayers", {"IsOnlyCurrentSeason": "0", "LeagueID": "00", "Season": "2025-26"},
                   (nba / "commonallplayers" / "commonallplayers_2025-26_all_time_docs_sample.json").read_bytes()),
            Sample("scoreboardv2", {"GameDate": "2026-02-22", "LeagueID": "00", "DayOffset": "0"},
                   (nba / "scoreboardv2" / "scoreboardv2_2026-02-22.json").read_bytes()),
        ]
