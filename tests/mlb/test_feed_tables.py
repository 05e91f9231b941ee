"""The live feed's tables, from the real recorded feeds: counts against the feeds
themselves, and the values users rely on (counts before the pitch, Statcast columns, runner
positions, the scoring-play quirk, games that never started)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from .helpers import (
    CANCELLED,
    DELAYED_START,
    FINAL_FEEDS,
    LIVE_717209,
    LIVE_746139_NEW,
    LIVE_746139_OLD,
    PREVIEW,
    WARMUP_DH2,
    feed,
    feed_rows,
)

# (file stem, allPlays, pitches) as SOURCES.md lists them.
RECORDED_COUNTS = [
    (FINAL_FEEDS[717209], 68, 284), (FINAL_FEEDS[744914], 68, 244), (FINAL_FEEDS[745455], 74, 302),
    (FINAL_FEEDS[745560], 62, 245), (FINAL_FEEDS[718096], 81, 321), (FINAL_FEEDS[718322], 78, 297),
    (FINAL_FEEDS[718594], 71, 270), (FINAL_FEEDS[718385], 92, 356), (FINAL_FEEDS[748549], 80, 285),
    (FINAL_FEEDS[746467], 70, 268), (FINAL_FEEDS[717243], 67, 257), (FINAL_FEEDS[717204], 72, 269),
    (LIVE_717209, 15, 56), (LIVE_746139_OLD, 62, 250), (LIVE_746139_NEW, 68, 281),
    ("liveGameV1_716704_2023-09-05_Live_20230906_020911", 81, 262),
    ("liveGameV1_746554_2024-05-11_Live_20240512_012313", 39, 138),
]


@pytest.mark.parametrize(("stem", "plays", "pitches"), RECORDED_COUNTS, ids=[c[0][11:17] + c[0][28:33] for c in RECORDED_COUNTS])
def test_plays_and_pitches_match_the_recorded_counts(stem: str, plays: int, pitches: int) -> None:
    rows = feed_rows(feed(stem))
    assert len(rows["mlb.plays"]) == plays
    assert len(rows["mlb.pitches"]) == pitches


@pytest.mark.parametrize("stem", [*FINAL_FEEDS.values(), LIVE_717209, LIVE_746139_NEW])
def test_every_table_counts_what_the_feed_holds(stem: str) -> None:
    data = feed(stem)
    rows = feed_rows(data)
    plays = data["liveData"]["plays"]["allPlays"]
    events = [e for p in plays for e in p["playEvents"]]
    teams = data["liveData"]["boxscore"]["teams"].values()
    expected = {
        "mlb.venues": 1, "mlb.games": 1,
        "mlb.players": len(data["gameData"]["players"]),
        "mlb.linescore": 2 * len(data["liveData"]["linescore"]["innings"]),
        "mlb.plays": len(plays),
        "mlb.pitches": sum(1 for e in events if e["isPitch"]),
        "mlb.play_actions": sum(1 for e in events if not e["isPitch"]),
        "mlb.runners": sum(len(p["runners"]) for p in plays),
        "mlb.runner_credits": sum(len(r["credits"]) for p in plays for r in p["runners"]),
        "mlb.batting": sum(1 for t in teams for p in t["players"].values() if "battingOrder" in p),
        "mlb.pitching": sum(len(t["pitchers"]) for t in teams),
    }
    assert {name: len(r) for name, r in rows.items()} == expected
    game = rows["mlb.games"][0]
    assert game["game_pk"] == data["gamePk"]
    assert game["updated_at"] == datetime.strptime(data["metaData"]["timeStamp"], "%Y%m%d_%H%M%S").replace(tzinfo=UTC)
    assert {r["updated_at"] for name, table in rows.items() for r in table} == {game["updated_at"]}


def test_a_final_game_row() -> None:
    game = feed_rows(feed(FINAL_FEEDS[717209]))["mlb.games"][0]
    assert (game["away_team_id"], game["home_team_id"], game["away_score"], game["home_score"]) == (140, 135, 0, 4)
    assert (game["status"], game["winner_team_id"], game["innings"]) == ("final", 135, 9)
    assert (game["winning_pitcher_id"], game["losing_pitcher_id"]) == (506433, 527048)
    assert (game["official_date"], game["season"], game["game_type"]) == (date(2023, 7, 29), "2023", "R")
    assert (game["attendance"], game["duration_minutes"], game["weather_temp"]) == (42677, 155, 74)
    assert game["start_time"] == datetime(2023, 7, 30, 0, 40, tzinfo=UTC)


def test_counts_are_the_ones_before_each_pitch() -> None:
    for stem in [*FINAL_FEEDS.values(), LIVE_746139_NEW]:
        data = feed(stem)
        pitches = {(r["at_bat_index"], r["pitch_number"]): r for r in feed_rows(data)["mlb.pitches"]}
        for play in data["liveData"]["plays"]["allPlays"]:
            before = (0, 0)
            for event in play["playEvents"]:
                if event["isPitch"]:
                    row = pitches[(play["atBatIndex"], event["pitchNumber"])]
                    assert (row["balls"], row["strikes"]) == before
                    after = (event["count"]["balls"], event["count"]["strikes"])
                    if row["call_code"] in ("B", "*B"):
                        assert after == (before[0] + 1, before[1])
                    if row["call_code"] in ("C", "S"):
                        assert after == (before[0], before[1] + 1)
                before = (event["count"]["balls"], event["count"]["strikes"])
        first = [r for r in pitches.values() if r["pitch_number"] == 1]
        assert all((r["balls"], r["strikes"]) == (0, 0) for r in first
                   if not any(e["type"] == "no_pitch" for e in data["liveData"]["plays"]["allPlays"][r["at_bat_index"]]["playEvents"]))


def test_an_automatic_strike_comes_before_the_first_pitch() -> None:
    rows = feed_rows(feed("liveGameV1_746553_2024-05-10_Live_20240511_012336"))
    first = next(r for r in rows["mlb.pitches"] if (r["at_bat_index"], r["pitch_number"]) == (15, 1))
    assert (first["balls"], first["strikes"]) == (0, 1)
    [automatic] = [r for r in rows["mlb.play_actions"] if r["at_bat_index"] == 15]
    assert (automatic["type"], automatic["code"], automatic["strikes_after"]) == ("no_pitch", "AC", 1)


def test_intentional_walk_balls_are_actions_not_pitches() -> None:
    rows = feed_rows(feed(FINAL_FEEDS[718096]))
    walk = [r for r in rows["mlb.play_actions"] if r["at_bat_index"] == 75]
    assert [(r["type"], r["code"], r["balls_after"]) for r in walk] == [("no_pitch", "VB", b) for b in (1, 2, 3, 4)]
    assert [r for r in rows["mlb.pitches"] if r["at_bat_index"] == 75] == []
    assert next(r for r in rows["mlb.plays"] if r["at_bat_index"] == 75)["pitch_count"] == 0


def test_pitch_and_hit_data_under_statcast_names() -> None:
    rows = feed_rows(feed(FINAL_FEEDS[717209]))
    pitch = next(r for r in rows["mlb.pitches"] if (r["at_bat_index"], r["pitch_number"]) == (5, 4))
    assert (pitch["pitch_type"], pitch["pitch_name"], pitch["type"]) == ("SI", "Sinker", "X")
    assert (pitch["balls"], pitch["strikes"], pitch["outs"]) == (2, 1, 0)
    assert (pitch["batter_id"], pitch["pitcher_id"], pitch["stand"], pitch["p_throws"]) == (673490, 527048, "R", "L")
    assert (pitch["release_speed"], pitch["release_spin_rate"], pitch["spin_axis"], pitch["zone"]) == (92.0, 1955, 130, 5)
    assert pitch["plate_x"] == pytest.approx(-0.0006561961769002549)
    assert pitch["pfx_x"] == pytest.approx(9.212064730205892 / 12)  # feet, as Statcast; the feed has inches
    assert (pitch["sz_top"], pitch["sz_bot"]) == (3.38, 1.55)
    assert (pitch["launch_speed"], pitch["launch_angle"], pitch["hit_distance_sc"]) == (98.5, 5.0, 118.0)
    assert (pitch["hc_x"], pitch["hc_y"], pitch["bb_type"], pitch["hit_location"]) == (138.43, 127.22, "ground_ball", 4)
    assert pitch["play_id"] == "f5828bc5-2fa2-48bd-a8f2-aeb14a14dbb1"
    called = next(r for r in rows["mlb.pitches"] if (r["at_bat_index"], r["pitch_number"]) == (5, 1))
    assert (called["type"], called["launch_speed"], called["is_strike"]) == ("S", None, True)


def test_runner_index_keeps_two_moves_of_one_runner_from_the_same_base() -> None:
    rows = feed_rows(feed(FINAL_FEEDS[718385]))
    moves = sorted((r for r in rows["mlb.runners"] if r["at_bat_index"] == 52), key=lambda r: r["runner_index"])
    assert [(r["runner_id"], r["origin_base"], r["start_base"], r["end_base"]) for r in moves] == [
        (657136, "1B", "1B", "2B"), (657136, "1B", "2B", "3B"), (624414, "3B", "3B", "score"), (807799, None, None, None)]
    assert [r["is_scoring_event"] for r in moves] == [False, False, True, False]
    credits = [r for r in rows["mlb.runner_credits"] if r["at_bat_index"] == 52]
    assert {r["runner_index"] for r in credits} <= {0, 1, 2, 3}
    assert all(r["credit"].startswith(("f_", "c_")) and r["player_id"] for r in credits)


def test_fielding_credits_of_a_groundout() -> None:
    rows = feed_rows(feed(FINAL_FEEDS[717209]))
    credits = sorted((r for r in rows["mlb.runner_credits"] if r["at_bat_index"] == 5), key=lambda r: r["credit_index"])
    assert [(r["runner_index"], r["player_id"], r["position"], r["credit"]) for r in credits] == [
        (0, 543760, "2B", "f_assist"), (0, 663993, "1B", "f_putout")]


@pytest.mark.parametrize(("game_pk", "play"), [(718385, 52), (745455, 28)])
def test_a_run_scored_mid_at_bat_is_a_scoring_play_though_the_api_says_not(game_pk: int, play: int) -> None:
    data = feed(FINAL_FEEDS[game_pk])
    rows = feed_rows(data)
    row = next(r for r in rows["mlb.plays"] if r["at_bat_index"] == play)
    assert (row["is_scoring_play"], row["api_is_scoring_play"], row["runs_scored"]) == (True, False, 1)
    scoring = sorted(r["at_bat_index"] for r in rows["mlb.plays"] if r["is_scoring_play"])
    assert scoring == data["liveData"]["plays"]["scoringPlays"]
    assert scoring == sorted(r["at_bat_index"] for r in rows["mlb.plays"] if r["runs_scored"])
    game = rows["mlb.games"][0]
    assert sum(r["runs_scored"] for r in rows["mlb.plays"]) == game["home_score"] + game["away_score"]


def test_extra_innings() -> None:
    rows = feed_rows(feed(FINAL_FEEDS[718385]))
    game = rows["mlb.games"][0]
    assert (game["innings"], game["scheduled_innings"], game["away_score"], game["home_score"]) == (10, 9, 7, 8)
    assert game["winner_team_id"] == game["home_team_id"]
    assert sorted({r["inning"] for r in rows["mlb.linescore"]}) == list(range(1, 11))
    assert max(r["inning"] for r in rows["mlb.plays"]) == 10


def test_a_half_not_batted_has_no_runs() -> None:
    rows = feed_rows(feed(FINAL_FEEDS[745560]))
    ninth = {r["side"]: r for r in rows["mlb.linescore"] if r["inning"] == 9}
    assert (ninth["away"]["runs"], ninth["home"]["runs"]) == (0, None)
    assert max(rows["mlb.plays"], key=lambda r: r["at_bat_index"])["half"] == "top"


def test_box_score_lines() -> None:
    rows = feed_rows(feed(FINAL_FEEDS[717209]))
    darvish = next(r for r in rows["mlb.pitching"] if r["player_id"] == 506433)
    assert (darvish["decision"], darvish["pitching_order"], darvish["outs"], darvish["innings_pitched"]) == ("W", 1, 18, "6.0")
    assert (darvish["strikeouts"], darvish["walks"], darvish["hits"], darvish["pitches"], darvish["batters_faced"]) == (9, 2, 3, 92, 23)
    assert next(r for r in rows["mlb.pitching"] if r["player_id"] == 527048)["decision"] == "L"
    kim = next(r for r in rows["mlb.batting"] if r["player_id"] == 673490)
    assert (kim["side"], kim["team_id"], kim["batting_order"], kim["lineup_spot"], kim["is_substitute"]) == ("home", 135, 100, 1, False)
    assert (kim["at_bats"], kim["hits"], kim["rbi"], kim["position"]) == (4, 2, 2, "2B")


def test_a_doubleheader_is_two_games() -> None:
    first = feed_rows(feed(FINAL_FEEDS[746467]))["mlb.games"][0]
    second = feed_rows(feed(WARMUP_DH2))["mlb.games"][0]
    assert (first["game_pk"], second["game_pk"]) == (746467, 746468)
    assert (first["double_header"], first["game_number"], second["game_number"]) == ("Y", 1, 2)
    assert first["official_date"] == second["official_date"] and first["home_team_id"] == second["home_team_id"]
    assert (first["status"], second["status"], second["detailed_state"]) == ("final", "scheduled", "Warmup")


@pytest.mark.parametrize(("stem", "status"), [(CANCELLED, "cancelled"), (PREVIEW, "scheduled"),
                                              (DELAYED_START, "scheduled"), (WARMUP_DH2, "scheduled")])
def test_games_that_never_started_have_no_plays(stem: str, status: str) -> None:
    rows = feed_rows(feed(stem))
    [game] = rows["mlb.games"]
    assert game["status"] == status
    assert (game["winner_team_id"], game["home_score"] or 0, game["away_score"] or 0) == (None, 0, 0)
    for table in ("mlb.plays", "mlb.pitches", "mlb.play_actions", "mlb.runners", "mlb.runner_credits"):
        assert rows[table] == [], table
    assert len(rows["mlb.players"]) >= 50


def test_a_batter_at_the_plate_with_no_pitch_yet_is_a_play() -> None:
    rows = feed_rows(feed(LIVE_717209))
    current = max(rows["mlb.plays"], key=lambda r: r["at_bat_index"])
    assert (current["at_bat_index"], current["is_complete"], current["pitch_count"], current["event"]) == (14, False, 0, None)


def test_players_and_venue() -> None:
    rows = feed_rows(feed(FINAL_FEEDS[717209]))
    player = next(r for r in rows["mlb.players"] if r["player_id"] == 669134)
    assert (player["full_name"], player["bats"], player["throws"], player["primary_position"]) == ("Luis Campusano", "R", "R", "C")
    assert (player["height"], player["height_inches"], player["weight"], player["birth_date"]) == ("5' 11\"", 71, 232, date(1998, 9, 29))
    [venue] = rows["mlb.venues"]
    assert (venue["venue_id"], venue["name"], venue["city"], venue["roof"], venue["surface"], venue["elevation"]) == (
        2680, "Petco Park", "San Diego", "Open", "Grass", 23)
    assert venue["timezone"] == "America/Los_Angeles"
