"""A database that real runs wrote: the MLB sync over the bundled captures (``demo mlb``),
then a sync over two broken files (failed, two dead letters); and the service over it."""

from __future__ import annotations

import gzip
import shutil
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fieldhouse.cli import app as cli
from fieldhouse.serve.app import create_app
from fieldhouse.serve.settings import ServeSettings
from fieldhouse.settings import Settings

with warnings.catch_warnings():  # starlette's test client asks for httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient
runner = CliRunner()
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def run_cli(*args: str) -> None:
    result = runner.invoke(cli, list(args))
    assert result.exit_code in (0, 1), result.output


def broken_files(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "feed_1.json.gz").write_bytes(gzip.compress(b'{"gamePk": 1, "garbage": true}'))
    (folder / "feed_2.json.gz").write_bytes(gzip.compress(b"not json"))
    return folder


def fill(url: str, tmp: Path) -> None:
    """A real sync (success), then a failing one."""
    run_cli("demo", "mlb", "--db", url)
    run_cli("sync", "mlb", "--from-files", str(broken_files(tmp / "broken")), "--db", url)


@pytest.fixture(autouse=True)
def _log_file(tmp_path, monkeypatch):
    monkeypatch.setenv("FIELDHOUSE_LOG_FILE", str(tmp_path / "logs" / "fieldhouse.log"))
    monkeypatch.delenv("FIELDHOUSE_API_TOKEN", raising=False)


@pytest.fixture(scope="session")
def _filled_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite database filled once; each test gets a copy."""
    folder = tmp_path_factory.mktemp("filled")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FIELDHOUSE_LOG_FILE", str(folder / "fill.log"))
        fill(f"sqlite:///{folder / 'fieldhouse.db'}", folder)
    return folder / "fieldhouse.db"


@pytest.fixture
def filled_sqlite(_filled_sqlite: Path, tmp_path: Path) -> str:
    target = tmp_path / "filled.db"
    shutil.copyfile(_filled_sqlite, target)
    return f"sqlite:///{target}"


@pytest.fixture
def filled_url(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if db_url.startswith("sqlite"):
        return request.getfixturevalue("filled_sqlite")
    fill(db_url, tmp_path)
    return db_url


def client_for(url: str, token: str | None = None) -> TestClient:
    return TestClient(create_app(Settings(database_url=url), ServeSettings(api_token=token)))


@pytest.fixture
def client(filled_url: str):
    with client_for(filled_url) as c:
        yield c
