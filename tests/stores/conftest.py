"""The store suite runs on every backend: SQLite, PostgreSQL and a Delta lake.

``db_url`` here overrides the project-wide fixture (SQLite and PostgreSQL) for the tests
of this folder only.  A rule that cannot apply to a data-only Delta lake is marked in its
test with :func:`skip_on_delta` and the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest

BACKENDS = ["sqlite", "postgresql", "delta"]


@pytest.fixture
def delta_url(tmp_path: Path) -> str:
    pytest.importorskip("deltalake")
    return f"delta://{tmp_path / 'lake'}"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite, once on PostgreSQL and once on a Delta lake."""
    return request.getfixturevalue(f"{request.param.replace('postgresql', 'pg')}_url")


def skip_on_delta(url: str, reason: str) -> None:
    if url.startswith("delta"):
        pytest.skip(f"Delta lake: {reason}")
