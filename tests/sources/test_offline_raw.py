"""The raw zone holds only what a server sent: an offline incremental sync answers its
``DateFrom`` requests from the archive's whole-season capture, maps that answer, and never
stores it; ``archive export`` then ships only real bodies."""

from __future__ import annotations

import fieldhouse
from fieldhouse import sync_nba
from fieldhouse.settings import Settings
from fieldhouse.sources.archive import export_archive, read_index
from fieldhouse.sources.nba.demo import bundled_archive
from fieldhouse.sources.raw import raw_responses


def test_an_offline_incremental_sync_stores_no_made_up_body(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'fh.db'}", log_file="")
    with bundled_archive() as archive:
        real = {e.content_hash for e in read_index(archive)}
        first = sync_nba(settings, ["2018-19"], ["playoffs"], archive=str(archive))
        second = sync_nba(settings, ["2018-19"], ["playoffs"], archive=str(archive))  # DateFrom = watermark - 2
    assert first.status == second.status == "success"
    assert second.tables["nba.team_game_stats"].unchanged > 0  # the window was read and mapped
    with fieldhouse.connect(settings.database_url) as store:
        stored = list(raw_responses(store))
        assert {r.content_hash for r in stored} <= real
        assert all(not r.params.get("DateFrom") for r in stored), [r.params for r in stored]
        exported = export_archive(store, tmp_path / "out")
    assert exported.added == len(stored)
    shipped = read_index(tmp_path / "out")
    assert {e.content_hash for e in shipped} <= real
    assert all(not e.params.get("DateFrom") for e in shipped)
