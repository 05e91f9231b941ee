"""Real runs (``execute_run``) of a small source over crafted rows, to build ledgers the
alert rules read: each test makes a healthy history and then the one run that breaks it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fieldhouse import BaseSource, Table, UnitResult
from fieldhouse.runs import execute_run
from fieldhouse.settings import AlertSettings, Settings

SCORES = Table("fake.scores", {"k": "text", "v": "int", "note": "text", "captured_at": "timestamptz"},
               ["k"], "captured_at")
NOW = datetime.now(UTC)


class FakeSource(BaseSource):
    name = "fake"

    def __init__(self, live: bool | None = None) -> None:
        self._live = live

    def tables(self) -> dict[str, Table]:
        return {SCORES.name: SCORES}

    def live(self, data: Any, now: datetime) -> bool | None:
        return self._live


@dataclass
class RowsUnit:
    key: str
    rows: list[dict]
    kind: str = "day"
    fail: bool = False

    def fetch(self) -> list[dict]:
        if self.fail:
            raise RuntimeError(f"{self.key}: the API answered 503")
        return self.rows

    def write(self, store, fetched):
        return UnitResult({SCORES.name: store.upsert(SCORES, fetched)})


def rows(n: int, *, at: datetime = NOW, note: str | None = "ok", start: int = 0, prefix: str = "k") -> list[dict]:
    return [{"k": f"{prefix}{i}", "v": i, "note": note, "captured_at": at} for i in range(start, start + n)]


def run(store, settings: Settings, *units: RowsUnit, http: int = 1, audits=None, arguments=None):
    """One recorded run of source ``fake`` (``http`` HTTP calls: 0 is a run over files)."""
    sent = [0]

    def api_check() -> None:  # the pre-flight's request: ``http`` calls
        sent[0] += http

    return execute_run(store, source="fake", command="sync", arguments=arguments or {"day": "2024-01-01"},
                       units=list(units), http_calls=lambda: sent[0], api_check=api_check if http else None,
                       audits=audits, settings=settings)


def healthy(store, settings: Settings, times: int = 3, n: int = 40) -> None:
    """``times`` good runs of ``n`` fresh rows each, all columns filled."""
    for i in range(times):
        run(store, settings, RowsUnit(f"fake/day/{i}", rows(n, prefix=f"d{i}-")))


@pytest.fixture
def settings() -> Settings:
    return Settings(run_lock_wait=0.2, run_heartbeat_interval=0.05, run_stale_after=60,
                    alerts=AlertSettings(conflict_sample=1000))


@pytest.fixture(autouse=True)
def _log_file(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDHOUSE_LOG_FILE", str(tmp_path / "logs" / "fieldhouse.log"))


def names(alerts) -> list[str]:
    return [a.name for a in alerts]


def soon(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)
