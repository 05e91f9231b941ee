"""The raw zone reads in bounded pieces: land() reads no stored body, and replay and
archive export stream the stored responses (memory flat in how many are stored)."""

from __future__ import annotations

import gc
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import fieldhouse
from fieldhouse.sources.archive import export_archive, read_index
from fieldhouse.sources.http.response import content_hash
from fieldhouse.sources.raw import RAW_TABLE, RawResponse, land, raw_responses, raw_row
from fieldhouse.sources.replay import Registry, replay

T0 = datetime(2019, 5, 3, 20, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def body(fixtures_dir: Path) -> bytes:
    """A real recorded response (a box score of about 16 KB)."""
    return (fixtures_dir / "nba" / "boxscoretraditionalv3" / "boxscoretraditionalv3_0022200552.json").read_bytes()


def _response(body: bytes, i: int, at: datetime | None = None) -> RawResponse:
    return RawResponse("nba", "boxscoretraditionalv3", {"GameID": f"{i:010d}"}, at or T0 + timedelta(seconds=i),
                       content_hash(body), body)


def _fill(store, body: bytes, n: int) -> None:
    """``n`` stored responses of ``body``, one per request, as land() stores them."""
    store.ensure_table(RAW_TABLE)
    stored = raw_row(_response(body, 0))
    for start in range(0, n, 2000):
        rows = [{**stored, "params": _response(body, i).params_text, "captured_at": T0 + timedelta(seconds=i)}
                for i in range(start, min(n, start + 2000))]
        assert store.insert_new(RAW_TABLE, rows).inserted == len(rows)


class ReadSpy:
    """A store whose reads are recorded: which columns each returned."""

    def __init__(self, store):
        self._store, self.reads = store, []

    def __getattr__(self, name):
        return getattr(self._store, name)

    def rows(self, table, *args, **kwargs):
        out = self._store.rows(table, *args, **kwargs)
        self.reads.append((table.name, kwargs.get("where"), {c for r in out for c in r}))
        return out

    def iter_rows(self, table, *args, **kwargs):
        raise AssertionError("land() streams nothing")


def test_land_reads_no_stored_body(db_url, body):
    with fieldhouse.connect(db_url) as store:
        _fill(store, body, 50)  # fifty stored responses, one of them of this very request
        spy = ReadSpy(store)
        again = _response(body, 7, at=T0 + timedelta(days=1))
        landed = land(spy, again)
        assert not landed.stored and landed.captured_at == T0 + timedelta(seconds=7)
        assert landed.response.body == body
        changed = _response(body + b" ", 7, at=T0 + timedelta(days=2))
        assert land(spy, changed).stored
        revert = _response(body, 7, at=T0 + timedelta(days=3))  # seen before, not the newest: newest again
        assert land(spy, revert).stored
    raw_reads = [r for r in spy.reads if r[0] == RAW_TABLE.name]
    assert raw_reads and all("body" not in columns for _, _, columns in raw_reads)
    # the lookup of content is by the whole primary key
    lookups = [where for _, where, _ in raw_reads if where and "content_hash" in where]
    assert lookups and all(set(w) == set(RAW_TABLE.primary_key) for w in lookups)


def _peak(fn) -> tuple[int, object]:
    gc.collect()
    tracemalloc.start()
    try:
        out = fn()
        return tracemalloc.get_traced_memory()[1], out
    finally:
        tracemalloc.stop()


def test_replay_and_export_of_10000_stored_responses_stream(db_url, body, tmp_path):
    """About 70 MB of stored (compressed) bodies: replay holds about 1.4 MB of Python
    memory (the whole-table read it replaced held 39 MB), in the database's (captured_at,
    request) order; export holds its archive index and one batch of bodies."""
    n = 10_000
    with fieldhouse.connect(db_url) as store:
        _fill(store, body, n)
        seen: list[str] = []
        reg = Registry()
        reg.register("nba", "boxscoretraditionalv3", lambda s, raw: seen.append(raw.params["GameID"]) or {})

        peak, report = _peak(lambda: replay(store, reg=reg))
        assert report.responses == n
        assert seen == [f"{i:010d}" for i in range(n)]  # ordered by captured_at
        assert peak < 8 * 2**20, f"replay held {peak / 2**20:.1f} MB"

        peak, exported = _peak(lambda: export_archive(store, tmp_path / "archive"))
        assert exported.added == n
        # the bodies stream; what export keeps is the archive index (about 1.8 KB an entry)
        assert peak < 32 * 2**20, f"export held {peak / 2**20:.1f} MB"
        assert len(read_index(tmp_path / "archive")) == n

        since = raw_responses(store, since=T0 + timedelta(seconds=n - 3))
        assert [r.params["GameID"] for r in since] == [f"{i:010d}" for i in range(n - 3, n)]
