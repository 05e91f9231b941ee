"""Every mistake in a mapping file is reported when it is loaded: file, line, what is wrong."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fieldhouse.errors import MappingError
from fieldhouse.mapping import load_mapping, parse_mapping

GOOD = """\
targets:
  games:
    primary_key: game_id
    version: captured_at
    columns:
      game_id:     {type: text, path: id}
      pts:         {type: int, path: pts}
      captured_at: {type: timestamptz, expr: "captured_at()"}
"""


def error_of(text: str) -> MappingError:
    with pytest.raises(MappingError) as info:
        parse_mapping(textwrap.dedent(text), "m.yaml")
    return info.value


def test_the_good_mapping_loads() -> None:
    m = parse_mapping(GOOD, "m.yaml")
    assert m.order == ("games",)
    assert m.targets["games"].table.primary_key == ("game_id",)
    assert m.uses_captured_at


@pytest.mark.parametrize(
    ("change", "line", "words"),
    [
        # unknown keys, at every level
        (("targets:", "colour: red\ntargets:"), 1, "unknown key 'colour'; allowed keys are description, targets"),
        (("    version: captured_at", "    version: captured_at\n    sort: pts"), 5, "target 'games': unknown key 'sort'"),
        (("{type: int, path: pts}", "{type: int, path: pts, default: 0}"), 7, "column 'pts': unknown key 'default'"),
        # sources
        (("{type: int, path: pts}", "{type: int}"), 7, "column 'pts' has no source"),
        (("{type: int, path: pts}", "{type: int, path: pts, value: 3}"), 7, "column 'pts' has two sources (path and value)"),
        # types
        (("{type: int, path: pts}", "{type: integer, path: pts}"), 7, "unknown column type 'integer'"),
        (("{type: int, path: pts}", "{type: 'decimal(2,5)', path: pts}"), 7, "decimal(p,s) needs"),
        (("{type: int, path: pts}", "{type: int, path: pts, nullable: maybe}"), 7, "nullable must be true or false"),
        # keys and version
        (("primary_key: game_id", "primary_key: [game_id, gid]"), 3, "primary key column 'gid' is not a column"),
        (("version: captured_at", "version: updated"), 4, "version column 'updated' is not a column"),
        (("primary_key: game_id", "primary_key: [game_id, captured_at]"), 4, "cannot be part of the primary key"),
        (("primary_key: game_id", "table: 'bad name'\n    primary_key: game_id"), 2, "table name 'bad name' is not allowed"),
        # paths
        (("path: pts}", "path: 'a..b'}"), 7, "bad path 'a..b'"),
        (("path: pts}", "path: ^.pts}"), 7, "'^.pts' reaches 1 level(s) out, but this is only 0 row-source level(s) deep"),
        (("path: pts}", "path: '#'}"), 7, "asks for the position or key of the record"),
        (("{type: int, path: pts}", "\n        type: int\n        path: # the position"), 9, "the path is empty (in YAML a '#' after a space starts a comment"),
        # expressions
        (('expr: "captured_at()"', 'expr: "captured_at("'), 8, "bad expression 'captured_at(': expected ')', found the end"),
        (('expr: "captured_at()"', 'expr: "now()"'), 8, "unknown function 'now'"),
        (("{type: int, path: pts}", "{type: int, expr: 'points + 1'}"), 7, "uses 'points', which is not a column"),
        (("{type: int, path: pts}", "{type: int, expr: 'pts + 1'}"), 7, "computed columns read each other in a cycle: pts"),
        (("    version: captured_at", "    version: captured_at\n    filter: 'pts >'"), 5, "filter: bad expression"),
        (("    version: captured_at", "    version: captured_at\n    checks: ['pts between 1']"), 5, "expected 'and'"),
        # yaml itself
        (("    version: captured_at", "    version: captured_at\n    version: x"), 5, "key 'version' is given twice"),
        (("columns:", "columns: [a, b"), 6, "not valid YAML"),
    ],
)
def test_each_mistake_names_file_line_and_problem(change: tuple[str, str], line: int, words: str) -> None:
    old, new = change
    assert old in GOOD
    err = error_of(GOOD.replace(old, new, 1))
    assert err.file == "m.yaml"
    assert err.line == line, str(err)
    assert words in str(err)
    assert str(err).startswith(f"m.yaml, line {line}: ")


def test_missing_required_keys() -> None:
    err = error_of(GOOD.replace("    version: captured_at\n", ""))
    assert (err.line, "target 'games' needs 'version'" in str(err)) == (2, True)
    err = error_of("description: x\n")
    assert "needs 'targets'" in str(err)


FK = """\
targets:
  facts:
    primary_key: id
    version: v
    foreign_keys:
      - {columns: team, references: %s}
    columns:
      id:   {type: int, path: id}
      team: {type: int, path: team}
      v:    {type: int, path: v}
  teams:
    primary_key: team
    version: v
    %s
    columns:
      team: {type: int, path: team}
      v:    {type: int, path: v}
"""


def test_foreign_key_to_an_unknown_target() -> None:
    err = error_of(FK % ("players", ""))
    assert err.line == 6
    assert "references unknown target 'players'; targets are facts, teams" in str(err)


def test_foreign_key_cycle() -> None:
    err = error_of(FK % ("teams", "foreign_keys: [{columns: team, references: facts, ref_columns: team}]"))
    assert "foreign keys form a cycle: facts -> teams -> facts" in str(err)
    assert err.line == 6


def test_foreign_key_to_itself_is_a_cycle() -> None:
    err = error_of(FK % ("facts", ""))
    assert "cycle: facts -> facts" in str(err)


def test_foreign_key_column_count_and_names() -> None:
    err = error_of((FK % ("teams", "")).replace("columns: team, references", "columns: [team, id], references"))
    assert "has 2 column(s) but references 1 (team)" in str(err)
    err = error_of((FK % ("teams", "")).replace("columns: team, references", "columns: tm, references"))
    assert "'tm' is not a column of this target" in str(err)


def test_two_targets_on_one_table() -> None:
    text = GOOD + GOOD.replace("targets:\n  games:", "  again:\n    table: games")
    err = error_of(text)
    assert "targets 'games' and 'again' both write table 'games'" in str(err)


def test_written_at_must_have_no_source_and_exist() -> None:
    err = error_of(GOOD.replace("    version: captured_at", "    version: captured_at\n    written_at: seen"))
    assert "written_at 'seen' is not a column" in str(err)
    text = GOOD.replace("    version: captured_at", "    version: captured_at\n    written_at: pts")
    err = error_of(text.replace("{type: int, path: pts}", "{type: timestamptz, path: pts}"))
    assert "the store sets it, so it takes no 'path'" in str(err)


def test_row_source_depth_allows_enclosing_paths() -> None:
    text = GOOD.replace("    version: captured_at", "    version: captured_at\n    rows: [dates, games]")
    assert parse_mapping(text.replace("path: pts}", "path: ^^.pts}"), "m.yaml")
    err = error_of(text.replace("path: pts}", "path: ^^^.pts}"))
    assert "reaches 3 level(s) out, but this is only 2" in str(err)
    assert err.line == 8


def test_load_mapping_reads_a_file_and_names_it(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("type: int,", "type: number,"), encoding="utf-8")
    with pytest.raises(MappingError, match=r"bad\.yaml, line 7: .*unknown column type 'number'"):
        load_mapping(path)
    with pytest.raises(MappingError, match="cannot read the mapping"):
        load_mapping(tmp_path / "missing.yaml")


MANY = """\
targets:
  games:
    primary_key: [game_id, season]
    version: captured_at
    colour: red
    columns:
      game_id:     {type: text, path: id}
      season:      {type: integer, path: season}
      pts:         {type: int}
      margin:      {type: int, expr: "pts - opp"}
      captured_at: {type: timestamptz, expr: "captured_at()"}
    checks:
      - "pts => 2"
  stats:
    primary_key: id
    version: v
    foreign_keys:
      - {columns: game_id, references: matches}
    columns:
      id:      {type: int, path: id}
      game_id: {type: text, path: "a..b"}
      v:       {type: int, path: v}
"""


def test_every_mistake_of_a_file_is_reported_at_once_each_with_its_line() -> None:
    """Issue 9, item 11: the docs promise every mistake; only the first was reported."""
    err = error_of(MANY)
    lines = str(err).splitlines()
    assert lines == [
        "m.yaml, line 5: target 'games': unknown key 'colour'; allowed keys are table, description, rows, primary_key, version, written_at, columns, filter, checks, foreign_keys, snapshot, partition_by",
        "m.yaml, line 8: target 'games', column 'season': unknown column type 'integer': use one of int, bigint, float, decimal(p,s), text, bool, date, timestamptz, json",
        "m.yaml, line 9: target 'games', column 'pts' has no source: give one of path, expr or value (for the load's capture time: expr: captured_at())",
        "m.yaml, line 10: target 'games': column 'margin' uses 'opp', which is not a column of this target (to read the record, use path('opp'))",
        "m.yaml, line 13: target 'games': check: bad expression 'pts => 2': unexpected character '=' at column 5",
        "m.yaml, line 21: target 'stats', column 'game_id': bad path 'a..b': expected a name after '.' (at character 3)",
    ]
    assert (err.file, err.line) == ("m.yaml", 5)  # the first mistake's place
    assert [p.line for p in err.problems] == [5, 8, 9, 10, 13, 21]
    # no echo of a mistake: 'season' (a broken column) in the key, 'pts' in an expression and
    # the foreign key to a target with mistakes of its own are not reported again


def test_a_foreign_key_to_an_unknown_target_is_reported_beside_other_mistakes() -> None:
    text = MANY.replace("references: matches", "references: nowhere").replace(
        '      game_id: {type: text, path: "a..b"}', "      game_id: {type: text, path: g}")
    lines = str(error_of(text)).splitlines()
    assert lines[-1] == ("m.yaml, line 18: target 'stats': foreign key ['game_id'] references unknown target 'nowhere'; "
                         "targets are stats, games")
    assert len(lines) == 6


def test_the_cli_prints_every_mistake(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from fieldhouse.cli import app

    path = tmp_path / "many.yaml"
    path.write_text(MANY)
    data = tmp_path / "d.csv"
    data.write_text("id\n1\n")
    result = CliRunner().invoke(app, ["load", str(data), "-m", str(path), "--db", f"sqlite:///{tmp_path / 'x.db'}"])
    assert result.exit_code in (1, 2)  # a bad mapping: nothing is written
    for line in (5, 8, 9, 10, 13, 21):
        assert f"many.yaml, line {line}: " in result.stderr
    assert "Traceback" not in result.output
