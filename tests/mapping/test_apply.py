"""Applying a mapping: casts, row sources, filters, checks, NOT NULL, rejects, load order."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from fieldhouse.errors import ConfigError

from .helpers import CAPTURED, mapping, plain, run

ONE_COLUMN = """\
targets:
  t:
    primary_key: id
    version: v
    columns:
      id: {type: int, path: id}
      v:  {type: int, value: 1}
      x:  {type: "%s", path: x}
"""


@pytest.mark.parametrize(
    ("type_", "raw", "value"),
    [
        ("int", "12", 12),
        ("int", 12.0, 12),
        ("bigint", "9007199254740993", 9007199254740993),
        ("float", "36:12", pytest.approx(36.2)),
        ("float", "PT36M12.00S", pytest.approx(36.2)),
        ("float", "0.489", 0.489),
        ("decimal(5,2)", "12.345", Decimal("12.34")),
        ("decimal(5,2)", 7, Decimal("7.00")),
        ("text", 12, "12"),
        ("text", "  kept  ", "  kept  "),
        ("bool", "W", True),
        ("bool", "L", False),
        ("bool", "true", True),
        ("bool", "1", True),
        ("bool", 0, False),
        ("date", "2019-04-13", date(2019, 4, 13)),
        ("date", "2019-04-13T00:00:00", date(2019, 4, 13)),
        ("date", "APR 14, 2024", date(2024, 4, 14)),
        ("timestamptz", "2019-04-13T20:30:00Z", datetime(2019, 4, 13, 20, 30, tzinfo=UTC)),
        ("timestamptz", "2019-04-13T20:30:00", datetime(2019, 4, 13, 20, 30, tzinfo=UTC)),
        ("json", {"a": [1, 2]}, {"a": [1, 2]}),
        ("json", "[1, 2]", [1, 2]),
        ("int", "", None),  # an empty field is null for non-text types
    ],
)
def test_casts_that_work(type_: str, raw: object, value: object) -> None:
    applied = run(ONE_COLUMN % type_, [{"id": 1, "x": raw}])
    assert applied.all_rejects() == []
    assert applied.rows["t"][0]["x"] == value


@pytest.mark.parametrize(
    ("type_", "raw", "reason"),
    [
        ("int", "12.5", "cannot cast '12.5' to int: not a whole number"),
        ("int", "twelve", "cannot cast 'twelve' to int: not a whole number"),
        ("int", True, "a boolean is not a number"),
        ("int", 2**40, "out of range"),
        ("float", "abc", "cannot cast 'abc' to float: not a number"),
        ("decimal(5,2)", "12O.00", "cannot cast '12O.00' to decimal(5,2): not a number"),
        ("decimal(5,2)", "1234.5", "more than 3 digits before the point"),
        ("text", {"a": 1}, "a dict is not text"),
        ("bool", "maybe", "use true/false"),
        ("date", "2019-13-01", "cannot cast '2019-13-01' to date"),
        ("date", "2019-04-13T20:30:00", "it has a time of day"),
        ("timestamptz", "yesterday", "use ISO 8601"),
        ("json", "{not json", "must be a JSON document"),
    ],
)
def test_casts_that_fail_reject_the_row_with_the_reason(type_: str, raw: object, reason: str) -> None:
    record = {"id": 1, "x": raw}
    applied = run(ONE_COLUMN % type_, [record, {"id": 2, "x": None}])
    assert [r["id"] for r in applied.rows["t"]] == [2]  # the null is fine, the bad value is not
    [reject] = applied.all_rejects()
    assert reject.target == "t" and reject.table == "t"
    assert reject.reason.startswith("column 'x': ")
    assert reason in reject.reason
    assert reject.row == record  # the raw record, untouched


def test_not_null_rejects_with_the_source_named() -> None:
    text = (ONE_COLUMN % "int").replace("path: x}", "path: x, nullable: false}")
    applied = run(text, [{"id": 1}, {"id": 2, "x": 5}, {"x": 3}])
    assert [r["id"] for r in applied.rows["t"]] == [2]
    assert [r.reason for r in applied.all_rejects()] == [
        "column 'x' is null but may not be (from path 'x')",
        "column 'id' is null but may not be (from path 'id')",  # a key is never null
    ]


SCHEDULE = """\
targets:
  games:
    rows:
      - each: dates
      - each: games
    primary_key: game_pk
    version: captured_at
    columns:
      game_pk:     {type: bigint, path: gamePk}
      date_pos:    {type: int, path: ^#}
      game_pos:    {type: int, path: "#"}
      official:    {type: date, path: ^.date}
      home_id:     {type: int, path: teams.home.team.id}
      away_id:     {type: int, path: teams.away.team.id}
      away_name:   {type: text, expr: "path('teams.away.team.name')"}
      series_pos:  {type: int, expr: "path('$.dates[0].games[0].seriesGameNumber')"}
      captured_at: {type: timestamptz, expr: "captured_at()"}
    checks:
      - home_id != away_id
"""


def _mlb(fixtures_dir: Path, name: str) -> dict:
    with gzip.open(fixtures_dir / "mlb" / name) as fh:
        return json.load(fh)["response"]


def test_two_levels_deep_on_a_real_mlb_schedule(fixtures_dir: Path) -> None:
    days = [_mlb(fixtures_dir, f"schedule/schedule_date-2024-10-{d}_sportId-1.pymlb_envelope.json.gz") for d in (25, 26, 27)]
    applied = run(SCHEDULE, days)
    assert applied.all_rejects() == []
    rows = {r["game_pk"]: r for r in applied.rows["games"]}
    assert set(rows) == {775300, 775294}  # 10-27 has no dates: no rows, no rejects
    assert rows[775300]["official"] == date(2024, 10, 25)
    assert (rows[775300]["date_pos"], rows[775300]["game_pos"]) == (0, 0)
    assert rows[775294]["official"] == date(2024, 10, 26)
    assert rows[775300]["home_id"] != rows[775300]["away_id"]
    assert rows[775300]["away_name"] == days[0]["dates"][0]["games"][0]["teams"]["away"]["team"]["name"]


def test_enclosing_elements_and_positions_in_a_synthetic_nest() -> None:
    record = {"dates": [
        {"date": "2024-01-01", "games": [{"gamePk": 1, "teams": {"home": {"team": {"id": 1}}, "away": {"team": {"id": 2}}}}]},
        {"date": "2024-01-02", "games": [
            {"gamePk": 2, "teams": {"home": {"team": {"id": 1}}, "away": {"team": {"id": 2}}}},
            {"gamePk": 3, "teams": {"home": {"team": {"id": 5}}, "away": {"team": {"id": 5}}}}]},
    ]}
    applied = run(SCHEDULE, [record])
    got = [(r["game_pk"], r["date_pos"], r["game_pos"], r["official"].isoformat()) for r in applied.rows["games"]]
    assert got == [(1, 0, 0, "2024-01-01"), (2, 1, 0, "2024-01-02")]
    [reject] = applied.all_rejects()
    assert (reject.reason, reject.location) == ("check failed: home_id != away_id", "dates[1].games[1]")
    assert reject.row == record["dates"][1]["games"][1]


def test_batting_order_positions_from_a_real_boxscore(fixtures_dir: Path) -> None:
    envelope_path = fixtures_dir / "mlb/boxscore/boxscore_747175.pymlb_envelope.json.gz"
    with gzip.open(envelope_path) as fh:
        envelope = json.load(fh)
    text = """\
targets:
  lineup:
    rows:
      - each: response.teams
      - each: battingOrder
    primary_key: [game_pk, side, spot]
    version: captured_at
    columns:
      game_pk:     {type: bigint, path: $.path_params.game_pk}
      side:        {type: text, path: ^~}
      team_id:     {type: int, path: ^.team.id}
      spot:        {type: int, expr: "path('#') + 1"}
      player_id:   {type: bigint, path: .}
      captured_at: {type: timestamptz, expr: "captured_at()"}
"""
    applied = run(text, [envelope])
    assert applied.all_rejects() == []
    rows = applied.rows["lineup"]
    home = envelope["response"]["teams"]["home"]
    assert [r["player_id"] for r in rows if r["side"] == "home"] == home["battingOrder"]
    assert [r["spot"] for r in rows if r["side"] == "home"] == list(range(1, len(home["battingOrder"]) + 1))
    assert {r["team_id"] for r in rows if r["side"] == "home"} == {home["team"]["id"]}
    assert {r["game_pk"] for r in rows} == {747175}


NBA = """\
targets:
  team_games:
    rows: {result_set: LeagueGameLog}
    primary_key: [game_id, team_id]
    version: captured_at
    filter: "matchup is not null"
    columns:
      game_id:     {type: text, path: GAME_ID}
      team_id:     {type: bigint, path: TEAM_ID}
      game_date:   {type: date, path: GAME_DATE}
      matchup:     {type: text, path: MATCHUP}
      home:        {type: bool, expr: "split_part(matchup, ' ', 1) == 'vs.'"}
      won:         {type: bool, path: WL}
      minutes:     {type: float, path: MIN}
      pts:         {type: int, path: PTS}
      row_number:  {type: int, path: "#"}
      season_type: {type: text, path: $.parameters.SeasonType}
      captured_at: {type: timestamptz, expr: "captured_at()"}
    checks:
      - pts between 0 and 250
"""


def test_result_sets_by_header_name_on_a_real_nba_payload(fixtures_dir: Path) -> None:
    payload = json.loads((fixtures_dir / "nba/leaguegamelog/leaguegamelog_T_2018-19_playoffs_full.json").read_text())
    applied = run(NBA, [payload])
    assert applied.all_rejects() == []
    rows = applied.rows["team_games"]
    assert len(rows) == 164
    first = rows[0]
    assert (first["game_id"], first["team_id"], first["pts"], first["won"]) == ("0041800141", 1610612744, 121, True)
    assert first["game_date"] == date(2019, 4, 13) and first["row_number"] == 0
    assert first["season_type"] == payload["parameters"]["SeasonType"]
    assert sum(r["won"] for r in rows) == 82  # one winner per game
    assert sum(r["home"] for r in rows) == 82  # one home team per game
    assert first["home"] is (" vs. " in first["matchup"])


def test_result_set_problems_are_rejects() -> None:
    short = {"resultSets": [{"name": "LeagueGameLog", "headers": ["GAME_ID", "TEAM_ID"], "rowSet": [["g", 1, 2]]}]}
    missing = {"resultSets": [{"name": "Other", "headers": [], "rowSet": []}]}
    applied = run(NBA, [short, missing])
    assert [(r.reason, r.location) for r in applied.all_rejects()] == [
        ("rows: row has 3 values but the result set has 2 headers", "resultSets['LeagueGameLog'].rowSet[0]"),
        ("rows: result set 'LeagueGameLog' not found in 'resultSets'", "resultSets"),
    ]


def test_a_scalar_where_an_array_belongs_is_rejected_and_null_is_empty() -> None:
    applied = run(SCHEDULE, [{"dates": 5}, {"dates": None}, {}])
    assert applied.rows["games"] == []
    [reject] = applied.all_rejects()
    assert reject.reason == "rows: 'dates' is int, not an array or object"


def test_filter_leaves_rows_out_and_counts_them_checks_reject() -> None:
    text = """\
targets:
  t:
    primary_key: id
    version: v
    filter: "kind in ('a', 'b') and n > 0"
    columns:
      id:   {type: int, path: id}
      kind: {type: text, path: kind}
      n:    {type: int, path: n}
      v:    {type: int, value: 1}
    checks:
      - "n < 100"
      - "kind != 'b' or n % 2 == 0"
"""
    records = [
        {"id": 1, "kind": "a", "n": 5},    # kept
        {"id": 2, "kind": "c", "n": 5},    # filtered: kind
        {"id": 3, "kind": "a", "n": None},  # filtered: unknown is not true
        {"id": 4, "kind": "a", "n": 500},  # check 1
        {"id": 5, "kind": "b", "n": 3},    # check 2
        {"id": 6, "kind": "b", "n": "x"},  # a cast failure the filter needs: rejected, not filtered
    ]
    applied = run(text, records)
    assert [r["id"] for r in applied.rows["t"]] == [1]
    assert applied.filtered == {"t": 2}
    assert [(r.row["id"], r.reason) for r in applied.all_rejects()] == [
        (4, "check failed: n < 100"),
        (5, "check failed: kind != 'b' or n % 2 == 0"),
        (6, "column 'n': cannot cast 'x' to int: not a whole number"),
    ]


def test_computed_columns_read_computed_columns_in_any_order() -> None:
    text = """\
targets:
  t:
    primary_key: id
    version: v
    columns:
      total: {type: int, expr: "double + 1"}
      double: {type: int, expr: "n * 2"}
      id: {type: int, path: id}
      n: {type: int, path: n}
      v: {type: int, value: 1}
"""
    applied = run(text, [{"id": 1, "n": "4"}])
    assert applied.rows["t"] == [{"id": 1, "n": 4, "v": 1, "double": 8, "total": 9}]


def test_expression_failures_reject_with_reason() -> None:
    text = (ONE_COLUMN % "float").replace("path: x}", "expr: \"path('a') / path('b')\"}")
    applied = run(text, [{"id": 1, "a": 1, "b": 0}, {"id": 2, "a": 1, "b": 4}])
    assert plain(applied.rows["t"]) == [{"id": 2, "v": 1, "x": 0.25}]
    assert applied.all_rejects()[0].reason == "column 'x': 1 / 0: division by zero"


def test_captured_at_is_required_when_used() -> None:
    with pytest.raises(ConfigError, match="uses captured_at"):
        run(SCHEDULE, [{}], captured_at=None)
    assert run(ONE_COLUMN % "int", [{"id": 1}], captured_at=None).rows["t"][0]["id"] == 1


def test_load_order_puts_referenced_targets_first() -> None:
    text = """\
targets:
  plays:
    primary_key: id
    version: v
    foreign_keys: [{columns: game, references: games}, {columns: player, references: players}]
    columns: {id: {type: int, path: id}, game: {type: int, path: g}, player: {type: int, path: p}, v: {type: int, value: 1}}
  games:
    primary_key: id
    version: v
    foreign_keys: [{columns: [venue], references: venues}]
    columns: {id: {type: int, path: g}, venue: {type: int, path: vn}, v: {type: int, value: 1}}
  players:
    primary_key: id
    version: v
    columns: {id: {type: int, path: p}, v: {type: int, value: 1}}
  venues:
    primary_key: id
    version: v
    columns: {id: {type: int, path: vn}, v: {type: int, value: 1}}
"""
    m = mapping(text)
    assert m.order == ("venues", "games", "players", "plays")
    assert [t.name for t in m.tables()] == ["venues", "games", "players", "plays"]
    assert m.targets["plays"].foreign_keys[0].ref_columns == ("id",)


def test_records_with_a_reader_problem_are_rejected_for_every_target() -> None:
    from fieldhouse.mapping import Record

    applied = run(ONE_COLUMN % "int", [Record({"fields": ["1", "2"]}, "f.csv line 3", "2 fields, but the header has 3")])
    [reject] = applied.all_rejects()
    assert (reject.reason, reject.origin, reject.row) == ("2 fields, but the header has 3", "f.csv line 3", {"fields": ["1", "2"]})
    assert CAPTURED.tzinfo is UTC
