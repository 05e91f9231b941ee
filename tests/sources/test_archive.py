"""Archives: export, import into an empty database, replay; reading a source offline."""

from __future__ import annotations

import gzip
import json

import pytest
from nba_api.stats.endpoints import leaguegamelog

import fieldhouse
from fieldhouse.errors import ArchiveError, ArchiveMissError
from fieldhouse.sources.archive import ArchiveFetcher, export_archive, import_archive, read_index
from fieldhouse.sources.nba import NBAClient
from fieldhouse.sources.nba.validate import nba_stats
from fieldhouse.sources.raw import raw_count
from fieldhouse.sources.replay import Registry, ingest, replay

from .handlers import TEAM_GAMES, league_game_log
from .helpers import correct_first_game, fetch_log


@pytest.fixture
def reg() -> Registry:
    reg = Registry()
    reg.register("nba", "leaguegamelog", league_game_log)
    return reg


@pytest.fixture
def online(tmp_path, make_fetcher, server, clock, reg):
    """A SQLite database filled online: regular season, playoffs, a playoffs correction."""
    url = f"sqlite:///{tmp_path / 'online.db'}"
    client = NBAClient(make_fetcher())
    with fieldhouse.connect(url) as store:
        ingest(store, fetch_log(client, "Regular Season"), reg)
        clock.advance(60)
        ingest(store, fetch_log(client), reg)
        clock.advance(60)
        correct_first_game(server, 3)
        ingest(store, fetch_log(client), reg)
    return url


def test_export_import_replay_gives_the_same_tables(online, db_url, tmp_path, reg):
    archive = tmp_path / "archive"
    with fieldhouse.connect(online) as store:
        assert export_archive(store, archive).added == 3
        assert export_archive(store, archive).unchanged == 3  # exporting again adds nothing
        expected = store.rows(TEAM_GAMES)
    entries = read_index(archive)
    assert [(e.source, e.endpoint, e.params["SeasonType"]) for e in entries] == [
        ("nba", "leaguegamelog", "Regular Season"), ("nba", "leaguegamelog", "Playoffs"),
        ("nba", "leaguegamelog", "Playoffs")]
    assert all((archive / e.file).is_file() and e.file.endswith(".json.gz") for e in entries)

    with fieldhouse.connect(db_url) as store:  # an empty database
        assert import_archive(store, archive).added == 3
        assert import_archive(store, archive).unchanged == 3
        assert raw_count(store) == 3
        assert replay(store, reg=reg).responses == 3
        assert store.rows(TEAM_GAMES) == expected


def test_a_source_reads_the_archive_exactly_as_online(online, tmp_path, reg):
    archive = tmp_path / "archive"
    with fieldhouse.connect(online) as store:
        export_archive(store, archive)
        before = store.rows(TEAM_GAMES)
    offline = NBAClient(ArchiveFetcher(archive, "nba", validator=nba_stats))
    call = offline.call(leaguegamelog.LeagueGameLog, season="2018-19",
                        season_type_all_star="Playoffs")
    assert call.response.from_archive
    assert len(call.endpoint.league_game_log.get_dict()["data"]) == 164  # nba_api parsed it
    with fieldhouse.connect(online) as store:
        newest = max((r for r in store.rows(TEAM_GAMES)), key=lambda r: r["captured_at"])
        assert call.response.captured_at == newest["captured_at"]  # the newest capture
        result = ingest(store, call.response, reg)  # syncing from the archive: nothing new
        assert not result.landed.stored
        assert result.results[TEAM_GAMES.name].unchanged == 164
        assert store.rows(TEAM_GAMES) == before
    with pytest.raises(ArchiveMissError, match="holds no nba leaguegamelog response"):
        offline.call(leaguegamelog.LeagueGameLog, season="2017-18")


def test_a_damaged_archive_is_refused(online, tmp_path):
    archive = tmp_path / "archive"
    with fieldhouse.connect(online) as store:
        export_archive(store, archive)
    entry = read_index(archive)[0]
    (archive / entry.file).write_bytes(gzip.compress(b'{"resultSets": []}'))
    with pytest.raises(ArchiveError, match="does not match its hash"):
        ArchiveFetcher(archive, "nba").get(entry.endpoint, entry.params)
    (archive / "index.jsonl").write_text(json.dumps({"source": "nba"}) + "\n")
    with pytest.raises(ArchiveError, match="line 1"):
        read_index(archive)
    with pytest.raises(ArchiveError, match="not a fieldhouse archive"):
        read_index(tmp_path / "nowhere")


def test_an_index_entry_cannot_point_outside_the_archive(online, tmp_path):
    archive = tmp_path / "archive"
    with fieldhouse.connect(online) as store:
        export_archive(store, archive)
    lines = (archive / "index.jsonl").read_text().splitlines()
    obj = json.loads(lines[0])
    obj["file"] = "../online.db"
    (archive / "index.jsonl").write_text(json.dumps(obj) + "\n")
    with pytest.raises(ArchiveError, match="outside the archive"):
        ArchiveFetcher(archive, "nba").get(obj["endpoint"], obj["params"])


def test_an_export_into_a_new_folder_streams_the_same_index_a_rewrite_gives(tmp_path):
    """A new archive's index is written line by line as the responses stream (memory flat in
    their number); exporting again into it rewrites the index from the whole set of entries:
    the two must be the same bytes."""
    from typer.testing import CliRunner

    from fieldhouse.cli import app

    db = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "nba", "--db", db, "--json"]).exit_code == 0
    folder = tmp_path / "archive"
    first = runner.invoke(app, ["archive", "export", str(folder), "--db", db])
    assert first.exit_code == 0, first.output
    streamed = (folder / "index.jsonl").read_bytes()
    assert streamed.count(b"\n") == 3 and not list(folder.glob(".tmp-*"))
    again = runner.invoke(app, ["archive", "export", str(folder), "--db", db])
    assert again.exit_code == 0, again.output
    assert (folder / "index.jsonl").read_bytes() == streamed
