"""The MLB source against the source contract kit (fieldhouse.testing.contract), with real
recorded responses of each endpoint it maps: a final feed, a schedule, teams and a person."""

from __future__ import annotations

import pytest

from fieldhouse.testing import Sample, SourceContract, load_fixture_body

from .helpers import FINAL_FEEDS
from .test_from_files import TEAMS_2024
from .test_plan import PERSON
from .test_sync import SCHEDULE_JULY_1, feed_file


class TestMLBSourceContract(SourceContract):
    source_name = "mlb"
    sync_options = {"games": "717209,746139"}  # planning a --games sync fetches nothing

    @pytest.fixture
    def samples(self):
        return [
            Sample("feed/live", {"gamePk": "717209"}, load_fixture_body(feed_file(FINAL_FEEDS[717209]))),
            Sample("schedule", {"sportId": "1", "startDate": "2024-07-01", "endDate": "2024-07-01"},
                   load_fixture_body(SCHEDULE_JULY_1)),
            Sample("teams", {"sportId": "1", "season": "2024"}, load_fixture_body(TEAMS_2024)),
            Sample("people", {"personIds": "545361"}, load_fixture_body(PERSON)),
        ]
