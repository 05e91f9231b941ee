"""``fieldhouse watch mlb`` on the command line: piped, one log line per change and the run's
report; the live table a terminal gets shows each game's score, inning and polls."""

from __future__ import annotations

from datetime import UTC, datetime

from typer.testing import CliRunner

from fieldhouse.cli import app
from fieldhouse.runs.watch import WatchEvent
from fieldhouse.sources.watching import Polled
from fieldhouse.testing import FakeStatsServer

from .helpers import serve_717209


def test_watch_on_the_command_line_ends_when_the_games_are_final(sqlite_url, monkeypatch):
    with FakeStatsServer() as server:
        serve_717209(server)
        for name, value in {"FIELDHOUSE_MLB__BASE_URL": server.url("/api"), "FIELDHOUSE_MLB__MIN_INTERVAL": "0",
                            "FIELDHOUSE_WATCH_INTERVAL": "0.01", "FIELDHOUSE_WATCH_FLOOR": "0"}.items():
            monkeypatch.setenv(name, value)
        result = CliRunner().invoke(app, ["watch", "mlb", "--games", "717209", "--date", "2023-07-29",
                                          "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "watch mlb: success (2 HTTP calls)" in result.output
    assert "mlb.plays" in result.output


def test_the_live_table_shows_score_inning_and_polls():
    from rich.console import Console

    from fieldhouse.cli.watch import LiveTable

    table = LiveTable("mlb watch")
    when = datetime(2024, 6, 12, 4, 13, 2, tzinfo=UTC)
    table.games["mlb/game/746139"] = WatchEvent(
        "mlb/game/746139", 0.0, when, "success",
        Polled("in_progress", True, 10, how="patch", shown={"game": "TEX@LAD", "score": "2-14", "inning": "Top 7"}),
        10.0)
    console = Console(width=120, record=True)
    console.print(table._table())
    text = console.export_text()
    for shown in ("746139", "TEX@LAD", "2-14", "Top 7", "in_progress", "04:13:02", "patch", "04:13:12"):
        assert shown in text, shown
