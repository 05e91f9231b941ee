"""Fake units (no network) for the run framework tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import pytest

from fieldhouse import FetchError, Table, UnitResult
from fieldhouse.settings import Settings
from fieldhouse.sources.watermarks import get_watermark

SCORES = Table("test.scores", {"k": "text", "v": "int", "captured_at": "timestamptz"}, ["k"], "captured_at")
CAPTURED = datetime(2024, 1, 1, tzinfo=UTC)


@dataclass
class FakeUnit:
    """Writes ``rows`` rows ``<key>-<i>`` and returns the watermark of its key; ``fail`` is
    an exception raised by fetch (or ``"write"`` to fail inside the transaction)."""

    key: str
    kind: str = "fake"
    rows: int = 3
    fail: Any = None
    fetched: int = 0
    skip_when_watermarked: bool = False
    calls: list[str] = field(default_factory=list)

    def fetch(self) -> list[dict]:
        self.fetched += 1
        if isinstance(self.fail, BaseException):
            raise self.fail
        return [{"k": f"{self.key}-{i}", "v": i, "captured_at": CAPTURED} for i in range(self.rows)]

    def write(self, store, fetched):
        result = store.upsert(SCORES, fetched)
        if self.fail == "write":
            raise RuntimeError("boom inside the transaction")
        return UnitResult({SCORES.name: result}, watermarks={self.key: date(2024, 1, 1)})

    def done(self, store) -> bool:
        return self.skip_when_watermarked and get_watermark(store, "fake", self.key) is not None


def fetch_error(endpoint: str = "leaguegamelog") -> FetchError:
    return FetchError(f"nba {endpoint}: gave up after 5 attempts; last error: HTTP 503",
                      endpoint=endpoint, attempts=5, status=503)


@pytest.fixture
def settings() -> Settings:
    return Settings(run_lock_wait=0.2, run_heartbeat_interval=0.05, run_stale_after=60)


@pytest.fixture(autouse=True)
def _log_file(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDHOUSE_LOG_FILE", str(tmp_path / "logs" / "fieldhouse.log"))
