"""mlb.schedule, mlb.teams and mlb.players (from /people), from the real recorded responses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from fieldhouse.mapping import apply_mapping
from fieldhouse.sources.mlb import schema

from .helpers import CAPTURED, FINAL_FEEDS, feed, feed_rows, fixture


def _apply(kind: str, data: object):
    return apply_mapping(schema.mapping(schema.ENDPOINT_MAPPINGS[kind]), [data], CAPTURED)


def test_a_schedule_day_with_postponed_games() -> None:
    applied = _apply("schedule", fixture("schedule/schedule_date-2022-04-07_sportId-1.json"))
    assert applied.all_rejects() == []
    rows = applied.rows["schedule"]
    assert len(rows) == 9 and {r["schedule_date"] for r in rows} == {date(2022, 4, 7)}
    postponed = [r for r in rows if r["status"] == "postponed"]
    assert len(postponed) == 2
    yankees = next(r for r in postponed if r["game_pk"] == 661333)
    assert (yankees["official_date"], yankees["reschedule_date"], yankees["status_reason"]) == (
        date(2022, 4, 8), date(2022, 4, 8), "Inclement Weather")
    assert yankees["reschedule_datetime"] == datetime(2022, 4, 8, 17, 5, tzinfo=UTC)
    assert (yankees["home_score"], yankees["away_score"]) == (None, None)
    cubs = next(r for r in rows if r["game_pk"] == 663178)
    assert (cubs["status"], cubs["away_score"], cubs["home_score"], cubs["home_is_winner"]) == ("final", 4, 5, True)
    assert (cubs["home_team_id"], cubs["away_team_id"], cubs["venue_id"], cubs["game_type"]) == (112, 158, 17, "R")
    assert cubs["game_datetime"] == datetime(2022, 4, 7, 18, 20, tzinfo=UTC)
    assert {r["captured_at"] for r in rows} == {CAPTURED}


def test_schedule_ranges_and_an_empty_day() -> None:
    ranged = _apply("schedule", fixture("schedule/schedule_endDate-2024-10-22_sportId-1_startDate-2024-10-20.pymlb_envelope.json.gz"))
    assert [(r["game_pk"], r["schedule_date"]) for r in ranged.rows["schedule"]] == [(775302, date(2024, 10, 20))]
    empty = _apply("schedule", fixture("schedule/schedule_date-2024-10-27_sportId-1.pymlb_envelope.json.gz"))
    assert (empty.rows["schedule"], empty.all_rejects()) == ([], [])


def test_a_schedule_game_without_teams_is_rejected_with_the_reason_and_the_rest_kept() -> None:
    applied = _apply("schedule", fixture("schedule/schedule_startDate-2022-10-11_endDate-2022-10-13_EDITED.json"))
    assert len(applied.rows["schedule"]) == 6
    rejects = applied.all_rejects()
    assert {r.row["gamePk"] for r in rejects} == {715753, 715748}
    assert all("home_team_id" in r.reason and r.location.startswith("dates[") for r in rejects)


def test_the_schedule_and_the_feed_agree_on_a_game() -> None:
    listing = next(r for r in _apply("schedule", fixture("schedule/schedule_date-2024-07-01_sportId-1.json")).rows["schedule"]
                   if r["game_pk"] == 744914)
    game = feed_rows(feed(FINAL_FEEDS[744914]))["mlb.games"][0]
    for column in ("official_date", "home_team_id", "away_team_id", "home_score", "away_score", "status",
                   "venue_id", "game_type", "double_header", "game_number"):
        assert listing[column] == game[column], column


def test_teams_of_a_season() -> None:
    applied = _apply("teams", fixture("teams/teams_season-2024_sportId-1.pymlb_envelope.json.gz"))
    rows = {r["team_id"]: r for r in applied.rows["teams"]}
    assert len(rows) == 30 and applied.all_rejects() == []
    oakland = rows[133]
    assert (oakland["name"], oakland["abbreviation"], oakland["location"], oakland["league"]) == (
        "Oakland Athletics", "OAK", "Oakland", "American League")
    assert (oakland["division"], oakland["venue_id"], oakland["active"], oakland["season"]) == ("American League West", 10, True, 2024)
    assert {r["league_id"] for r in rows.values()} == {103, 104}
    assert len({r["division_id"] for r in rows.values()}) == 6


def test_people_have_the_feed_players_columns() -> None:
    applied = _apply("people", fixture("person/person_personIds-545361.pymlb_envelope.json.gz"))
    [trout] = applied.rows["players"]
    assert (trout["player_id"], trout["full_name"], trout["height_inches"], trout["mlb_debut_date"]) == (
        545361, "Mike Trout", 74, date(2011, 7, 8))
    assert trout["updated_at"] == CAPTURED  # a person is as of when it was fetched
    from_feed = feed_rows(feed(FINAL_FEEDS[717209]))["mlb.players"][0]
    assert set(trout) == set(from_feed)
