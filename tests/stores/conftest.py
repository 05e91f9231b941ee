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


_examples: dict[str, int] = {}


def within_delta_budget(url: str, test: str, examples: int = 8) -> bool:
    """For a hypothesis property with many commits per example: on a Delta lake (a commit
    costs tens of milliseconds, as a file write and a log entry) only the first
    ``examples`` examples run, so the suite stays fast; other backends run them all."""
    if not url.startswith("delta"):
        return True
    _examples[test] = _examples.get(test, 0) + 1
    return _examples[test] <= examples


def skip_on_delta(url: str, reason: str) -> None:
    if url.startswith("delta"):
        pytest.skip(f"Delta lake: {reason}")
