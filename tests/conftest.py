"""Shared fixtures.

PostgreSQL tests use a real server: ``$FIELDHOUSE_TEST_DATABASE_URL`` (an admin URL whose
user may create databases), else ``postgresql://postgres@127.0.0.1:5432/postgres``.  Each
test gets a database of its own, dropped afterwards.  Without a server the tests skip,
except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

ADMIN_URL = os.environ.get("FIELDHOUSE_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
FIXTURES = Path(__file__).resolve().parents[2] / "shared" / "fixtures"
if not FIXTURES.is_dir():  # a clone placed elsewhere: look beside the repository
    FIXTURES = Path(os.environ.get("FIELDHOUSE_FIXTURES", Path.cwd().parent / "shared" / "fixtures"))

_pg_error: str | None = None


def _admin() -> psycopg.Connection:
    return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)


def _pg_available() -> bool:
    global _pg_error
    if _pg_error is None:
        try:
            with _admin():
                _pg_error = ""
        except psycopg.Error as exc:
            _pg_error = str(exc).strip() or type(exc).__name__
    return not _pg_error


def _with_database(url: str, dbname: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{dbname}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped after the test."""
    if not _pg_available():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is required under CI=true but unreachable: {_pg_error}")
        pytest.skip(f"PostgreSQL unreachable: {_pg_error}")
    name = f"fh_test_{uuid.uuid4().hex[:12]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(ADMIN_URL, name)
    finally:
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fieldhouse.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"recorded fixtures not found at {FIXTURES}; set FIELDHOUSE_FIXTURES")
    return FIXTURES
